"""The web pages: the member area, the market, the profile, signing in, and the office desk."""
