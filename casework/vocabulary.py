"""Words the policy fixes: motivation strands, reporting channels (3.1.4), incident types
(3.1.2 and 3.1.3), parties and their relation to the landlord and tenure (2.2, 2.3), and the
questions of voluntary equality monitoring (12.3)."""

from dataclasses import dataclass

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

# A complaint about how a case was handled: who made it, and what it is about (issue 14).
COMPLAINANTS: dict[str, str] = {
    "victim": "The victim",
    "reporter": "The person who reported it",
    "witness": "A witness",
    "alleged_perpetrator": "The alleged perpetrator",
    "representative": "Someone on the victim's behalf (family, advocate, councillor)",
    "other": "Someone else",
}
COMPLAINT_SUBJECTS: dict[str, str] = {
    "delay": "Delay, or not being kept informed",
    "decision": "A decision on the case",
    "conduct": "How a member of staff behaved",
    "communication": "How we communicated",
    "unfair_treatment": "Being treated unfairly",
    "other": "Something else",
}

# Voluntary equality monitoring (policy 12.3): a party's own answers, asked in the words of the
# 2021 census for England and Wales (ONS high-level groups). Every question may be answered
# "Prefer not to say"; a question left unanswered is "not recorded".
PREFER_NOT_TO_SAY = "prefer_not_to_say"


@dataclass(frozen=True)
class EqualityQuestion:
    name: str  # the key in forms, in the API and in the stored answers
    question: str  # as the form asks it
    heading: str  # as a breakdown names it
    options: dict[str, str]  # the answers, "Prefer not to say" last


def _with_prefer_not(options: dict[str, str]) -> dict[str, str]:
    return {**options, PREFER_NOT_TO_SAY: "Prefer not to say"}


_YES_NO = {"yes": "Yes", "no": "No"}
EQUALITY_QUESTIONS: dict[str, EqualityQuestion] = {
    q.name: q
    for q in (
        EqualityQuestion(
            "age_band",
            "What is your age?",
            "Age",
            _with_prefer_not(
                {
                    "under_16": "Under 16",
                    "16_24": "16 to 24",
                    "25_34": "25 to 34",
                    "35_44": "35 to 44",
                    "45_54": "45 to 54",
                    "55_64": "55 to 64",
                    "65_74": "65 to 74",
                    "75_over": "75 or over",
                }
            ),
        ),
        EqualityQuestion(
            "ethnic_group",
            "What is your ethnic group?",
            "Ethnic group",
            _with_prefer_not(
                {
                    "asian": "Asian or Asian British",
                    "black": "Black, Black British, Caribbean or African",
                    "mixed": "Mixed or multiple ethnic groups",
                    "white": "White",
                    "other": "Other ethnic group",
                }
            ),
        ),
        EqualityQuestion(
            "religion_or_belief",
            "What is your religion?",
            "Religion or belief",
            _with_prefer_not(
                {
                    "none": "No religion",
                    "christian": "Christian",
                    "buddhist": "Buddhist",
                    "hindu": "Hindu",
                    "jewish": "Jewish",
                    "muslim": "Muslim",
                    "sikh": "Sikh",
                    "other": "Any other religion",
                }
            ),
        ),
        EqualityQuestion(
            "disability",
            "Do you consider yourself to have a disability?",
            "Disability",
            _with_prefer_not(_YES_NO),
        ),
        EqualityQuestion(
            "sex", "What is your sex?", "Sex", _with_prefer_not({"female": "Female", "male": "Male"})
        ),
        EqualityQuestion(
            "gender_identity_same",
            "Is the gender you identify with the same as your sex registered at birth?",
            "Gender identity the same as sex registered at birth",
            _with_prefer_not(_YES_NO),
        ),
        EqualityQuestion(
            "sexual_orientation",
            "Which of the following best describes your sexual orientation?",
            "Sexual orientation",
            _with_prefer_not(
                {
                    "straight": "Straight or heterosexual",
                    "gay_or_lesbian": "Gay or lesbian",
                    "bisexual": "Bisexual",
                    "other": "Other sexual orientation",
                }
            ),
        ),
    )
}

# How a contact was made (casework.contacts).
CONTACT_METHODS: dict[str, str] = {
    "phone": "Phone call",
    "visit": "Home visit",
    "email": "Email",
    "letter": "Letter",
    "text": "Text message",
    "in_person": "In person",
    "other": "Other",
}

# How two cases are linked (issue 15), and a duplicate's link to the case it duplicates.
LINK_KINDS: dict[str, str] = {
    "same_victim": "Same victim",
    "same_perpetrator": "Same alleged perpetrator",
    "same_address": "Same address",
    "other": "Other reason",
}
DUPLICATE_OF = "duplicate_of"
SPLIT_FROM = "split_from"  # a case made from an incident split off another (casework.splitting)
LINK_LABELS: dict[str, str] = {**LINK_KINDS, DUPLICATE_OF: "Duplicate", SPLIT_FROM: "Split off"}

# What a running case can be told, in the words of the case page (the BPMN message names).
MESSAGE_LABELS: dict[str, str] = {
    "further_incident": "Another incident",
    "case_review_requested": "A request for an ASB Case Review",
    "complaint_received": "A complaint about the handling of the case",
    "consent_withdrawn": "A consent withdrawn",
    "contact_recorded": "A contact with the victim",
    "risk_changed": "A change of risk level",
}
