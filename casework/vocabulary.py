"""Words the policy fixes: motivation strands, reporting channels (3.1.4), incident types
(3.1.2 and 3.1.3), parties and their relation to the landlord and tenure (2.2, 2.3)."""

STRANDS: dict[str, str] = {
    "race": "Race",
    "religion_or_belief": "Religion or belief",
    "gender_identity": "Gender identity",
    "disability": "Disability",
    "age": "Age",
    "sexual_orientation": "Sexual orientation",
    "alternative_subculture": "Alternative sub-culture",
}

CHANNELS: dict[str, str] = {
    "phone": "Phone (office hours)",
    "out_of_hours": "Out-of-hours line",
    "email": "Email",
    "portal": "Customer portal",
    "website": "Website or social media",
    "in_person": "In person at an office",
    "letter": "Letter",
    "third_party": "Third party (family member, support worker)",
}

INCIDENT_TYPES: dict[str, str] = {
    # 3.1.2 hate incidents
    "littering": "Littering outside the home or through the letterbox",
    "excessive_noise": "Excessive noise",
    "throwing_objects": "Eggs or stones thrown at the property",
    "befriending_to_exploit": "Befriending a vulnerable person to take advantage",
    "verbal_abuse": "Verbal abuse",
    "bullying": "Bullying",
    "name_calling": "Name calling",
    "insults": "Insults",
    "malicious_complaints": "Malicious complaints",
    # 3.1.3 hate crimes
    "online_abuse": "Online abuse",
    "graffiti": "Offensive graffiti or fly posting",
    "ridiculing_culture": "Ridiculing cultural differences",
    "physical_attack": "Physical attack, damage to property or arson",
    "threat_of_attack": "Threat of attack (letters, calls, messages, intimidation)",
    "abusive_gestures": "Abusive gestures",
    "violent_attack": "Violent attack",
    "vandalism": "Vandalism",
    "theft": "Theft",
    "harassment": "Harassment, stalking or intimidation",
}

PARTY_ROLES: dict[str, str] = {
    "victim": "Victim",
    "witness": "Witness",
    "alleged_perpetrator": "Alleged perpetrator",
    "reporter": "Reporter",
}

RELATIONS: dict[str, str] = {
    "tenant": "Tenant",
    "leaseholder": "Leaseholder",
    "household_member": "Household member",
    "visitor": "Visitor",
    "non_tenant": "Not a tenant",
    "colleague": "Colleague",
    "contractor": "Contractor",
}

TENURES: dict[str, str] = {
    "general_needs": "General needs",
    "supported": "Supported housing",
    "elderly_persons_scheme": "Elderly persons scheme",
    "leaseholder": "Leaseholder",
    "other": "Other tenure",
}

PROCESS_KEY = "hate_incident"
