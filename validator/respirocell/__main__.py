"""``python -m respirocell`` runs the CLI (handy where the script directory is not on PATH)."""

from respirocell.cli import main

main()
