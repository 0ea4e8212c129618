"""The Textual front end. Imported only when the wizard starts (the CLI stays light)."""
