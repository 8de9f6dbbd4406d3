"""policybook: one source of company rules → every handbook, form and release."""

__version__ = "0.1.0"
