"""Follow machine-learning engineering roadmaps from the terminal."""

__version__ = "0.1.0"
