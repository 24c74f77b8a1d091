from mlroadmap.cli import main

main()
