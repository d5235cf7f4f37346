"""Words the policy fixes (section 3.1): motivation strands and reporting channels."""

STRANDS: dict[str, str] = {
    "race": "Race",
    "religion_or_belief": "Religion or belief",
    "gender_identity": "Gender identity",
    "disability": "Disability",
    "age": "Age",
    "sexual_orientation": "Sexual orientation",
    "alternative_subculture": "Alternative sub-culture",
}

PROCESS_KEY = "hate_incident"
