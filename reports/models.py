"""Reports read from organizations and recruitment; they own no tables yet."""
