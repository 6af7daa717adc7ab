"""A signed-in user's own account: e-mail preferences, password, invitations and resets."""
