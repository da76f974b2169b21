"""The GitHub App service: webhook intake, durable deliveries, processing, health."""
