"""GitHub: the REST client, publishing results, the Action entry point."""
