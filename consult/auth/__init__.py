"""Sign-in, sign-out and role guards."""
