"""The actor workbench: one actor's page and the candidate actors, in the window."""
