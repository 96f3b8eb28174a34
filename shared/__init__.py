"""Profile API's shared code: settings, errors, models, services, repository port and adapters, auth."""
