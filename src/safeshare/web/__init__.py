"""The web edge: app factory, routes, templates, assets and error pages."""
