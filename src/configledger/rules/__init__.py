"""Rules and compliance: managed rules, evaluations, roll-ups."""
