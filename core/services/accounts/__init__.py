"""Accounts: sign-up, email verification, log-in checks, API tokens, password reset and
users by admins — a module per concern. The web pages and the API (djoser) both call
these, so an account behaves the same whichever door a person uses."""
