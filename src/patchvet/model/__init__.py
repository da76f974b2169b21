"""The agent-likelihood model: features, dataset, training, evaluation, scoring."""
