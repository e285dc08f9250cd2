"""Subject access (UK GDPR Art.15, DPA 2018 s.45): everything held about a person, with the
exemptions a disclosure officer applies field by field."""
