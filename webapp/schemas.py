"""Request and response schemas. The API validates with them and the OpenAPI document is
generated from them; the public report page validates with the same ``ReportSchema``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from casework.reports import PartyDetails
from casework.vocabulary import (
    CHANNELS,
    EQUALITY_QUESTIONS,
    INCIDENT_TYPES,
    PARTY_ROLES,
    RELATIONS,
    STRANDS,
    TENURES,
    EqualityQuestion,
)


def _blank_to_none(data: Any, names: tuple[str, ...]) -> Any:
    if isinstance(data, dict):
        data = dict(data)
        for name in names:
            if isinstance(data.get(name), str) and not data[name].strip():
                data.pop(name)
    return data


def _answer(question: EqualityQuestion) -> fields.String:
    choices = list(question.options)
    return fields.String(
        load_default=None,
        validate=validate.OneOf(
            choices,
            error=f"Unknown answer for the equality question '{question.name}': "
            f"use one of {', '.join(choices)}, or leave it out.",
        ),
        metadata={"description": f"{question.question} One of: " + ", ".join(choices)},
    )


# A row id as the database stores it (PostgreSQL INTEGER): larger numbers name nothing.
ROW_ID = validate.Range(min=1, max=2**31 - 1)


class EqualitySchema(Schema):
    """A party's voluntary equality-monitoring answers. Every question is optional; an empty
    answer is the same as none (not recorded). An unknown question or answer is refused."""

    age_band = _answer(EQUALITY_QUESTIONS["age_band"])
    ethnic_group = _answer(EQUALITY_QUESTIONS["ethnic_group"])
    religion_or_belief = _answer(EQUALITY_QUESTIONS["religion_or_belief"])
    disability = _answer(EQUALITY_QUESTIONS["disability"])
    sex = _answer(EQUALITY_QUESTIONS["sex"])
    gender_identity_same = _answer(EQUALITY_QUESTIONS["gender_identity_same"])
    sexual_orientation = _answer(EQUALITY_QUESTIONS["sexual_orientation"])

    @pre_load
    def drop_blanks(self, data: Any, **_: Any) -> Any:
        return _blank_to_none(data, tuple(EQUALITY_QUESTIONS))

    @post_load
    def answered(self, data: dict[str, Any], **_: Any) -> dict[str, str] | None:
        return {name: value for name, value in data.items() if value is not None} or None


class PartySchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(list(PARTY_ROLES)))
    name = fields.String(load_default=None, validate=validate.Length(max=200))
    relation = fields.String(
        load_default=None,
        validate=validate.OneOf(list(RELATIONS)),
        metadata={"description": "Relation to the landlord: " + ", ".join(RELATIONS)},
    )
    tenure = fields.String(load_default=None, validate=validate.OneOf(list(TENURES)))
    address = fields.String(load_default=None, validate=validate.Length(max=500))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))
    email = fields.Email(load_default=None, validate=validate.Length(max=320))
    equality = fields.Nested(
        EqualitySchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Voluntary equality monitoring, the party's own answers (all optional)"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> PartyDetails:
        return PartyDetails(**data)


class ReportSchema(Schema):
    description = fields.String(
        required=True,
        validate=validate.Length(min=10, max=10000),
        metadata={"description": "What happened, in the reporter's words."},
    )
    occurred_at = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        default_timezone=None,
        metadata={"description": "When it happened (ISO-8601 with a time zone)."},
    )
    location = fields.String(
        required=True,
        validate=validate.Length(min=2, max=500),
        metadata={"description": "Where it happened: address, estate or area."},
    )
    strands = fields.List(
        fields.String(validate=validate.OneOf(list(STRANDS))),
        required=True,
        metadata={"description": "Perceived motivation: " + ", ".join(STRANDS)},
    )
    reporter_name = fields.String(load_default=None, validate=validate.Length(max=200))
    reporter_email = fields.Email(load_default=None, validate=validate.Length(max=320))
    reporter_phone = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9 +()\-]{6,40}$", error="Enter a phone number, e.g. 0161 496 0000."),
    )

    channel = fields.String(
        load_default="website",
        validate=validate.OneOf(list(CHANNELS)),
        metadata={"description": "How the report reached us: " + ", ".join(CHANNELS)},
    )
    incident_types = fields.List(
        fields.String(validate=validate.OneOf(list(INCIDENT_TYPES))),
        load_default=list,
        metadata={"description": ", ".join(INCIDENT_TYPES)},
    )
    locality = fields.String(load_default=None, validate=validate.Length(max=120))
    parties = fields.List(
        fields.Nested(PartySchema),
        load_default=list,
        metadata={"description": "Victims, witnesses, alleged perpetrators, reporter"},
    )

    @pre_load
    def drop_blanks(self, data: Any, **_: Any) -> Any:
        return _blank_to_none(
            data, ("occurred_at", "reporter_name", "reporter_email", "reporter_phone", "locality")
        )

    @validates("strands")
    def at_least_one(self, value: list[str], **_: Any) -> None:
        if not value:
            raise ValidationError("Choose at least one reason you think it was motivated by hate.")

    @validates("description")
    def not_blank(self, value: str, **_: Any) -> None:
        if not value.strip():
            raise ValidationError("Tell us what happened.")


class ReportCreatedSchema(Schema):
    reference = fields.String(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)


class TokenRequestSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=500), load_only=True)
    totp = fields.String(
        load_default=None,
        validate=validate.Length(max=40),
        load_only=True,
        metadata={"description": "The current 6-digit code (or a recovery code), for two-factor accounts"},
    )


class TokenSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class TokenInfoSchema(Schema):
    """One API token as its owner sees it: never the token itself (only a digest is kept)."""

    id = fields.Integer(required=True)
    username = fields.String(required=True, attribute="user.username")
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean(required=True)


class TokenListSchema(Schema):
    items = fields.List(fields.Nested(TokenInfoSchema), required=True)


class OptionSchema(Schema):
    id = fields.String()
    name = fields.String()


class FormFieldSchema(Schema):
    id = fields.String()
    label = fields.String()
    type = fields.String(metadata={"description": "string, long, boolean, date or enum"})
    required = fields.Boolean()
    multiline = fields.Boolean()
    multiple = fields.Boolean()
    options = fields.List(fields.Nested(OptionSchema))
    default = fields.String(allow_none=True)
    min_length = fields.Integer(allow_none=True)
    max_length = fields.Integer(allow_none=True)
    minimum = fields.Integer(allow_none=True)
    maximum = fields.Integer(allow_none=True)


class TaskSchema(Schema):
    id = fields.String()
    case_reference = fields.String()
    name = fields.String(attribute="element_id")
    title = fields.String()
    status = fields.String()
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due = fields.DateTime(attribute="due_at", allow_none=True)


class TaskDetailSchema(TaskSchema):
    documentation = fields.String(allow_none=True)
    form_fields = fields.List(fields.Nested(FormFieldSchema), attribute="fields", data_key="fields")


class TaskListQuerySchema(Schema):
    scope = fields.String(load_default="all", validate=validate.OneOf(["all", "mine", "unassigned"]))
    q = fields.String(load_default="", validate=validate.Length(max=200))
    sort = fields.String(
        load_default="due", validate=validate.OneOf(["due", "-due", "created", "-created", "case", "title"])
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class TaskPageSchema(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    total = fields.Integer(metadata={"description": "Tasks counted, up to 1,000 past this page"})
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()
    more = fields.Boolean(metadata={"description": "More tasks than ``total`` exist (counting stopped)"})


class StepSchema(Schema):
    case_reference = fields.String()
    case_status = fields.String()
    next_tasks = fields.List(fields.Nested(TaskSchema), attribute="open_tasks")


class TimelineEventSchema(Schema):
    at = fields.DateTime()
    kind = fields.String()
    actor = fields.String()
    summary = fields.String()


class PartyOutSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    name = fields.String(allow_none=True)
    relation = fields.String(allow_none=True)
    tenure = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class ReferralSchema(Schema):
    agency = fields.String()
    made = fields.Boolean()
    reference = fields.String(allow_none=True)
    referred_on = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    lawful_basis = fields.String(allow_none=True)
    consent = fields.Boolean(allow_none=True)


class DocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    body = fields.String()
    created_at = fields.DateTime()


class ConsentInSchema(Schema):
    party_id = fields.Integer(
        required=True, validate=ROW_ID, metadata={"description": "A person on the case (parties[].id)"}
    )
    purpose = fields.String(
        required=True, metadata={"description": "police, agency_referral or court_evidence"}
    )
    given = fields.Boolean(required=True, metadata={"description": "true: consent given; false: refused"})
    note = fields.String(load_default=None, allow_none=True)


class ConsentOutSchema(Schema):
    id = fields.Integer()
    party_id = fields.Integer()
    party_role = fields.String()
    purpose = fields.String()
    purpose_label = fields.String()
    given = fields.Boolean()
    state = fields.String(metadata={"description": "given, refused or withdrawn"})
    note = fields.String(allow_none=True)
    recorded_at = fields.DateTime()
    recorded_by = fields.String()
    withdrawn_at = fields.DateTime(allow_none=True)
    withdrawn_by = fields.String(allow_none=True)


class DisclosureInSchema(Schema):
    party_id = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=ROW_ID,
        metadata={"description": "The person it is about (required for consent)"},
    )
    recipient = fields.String(required=True, metadata={"description": "The organisation it went to"})
    purpose = fields.String(
        required=True, metadata={"description": "police, agency_referral, court_evidence or other"}
    )
    information = fields.String(required=True, metadata={"description": "What was shared"})
    lawful_basis = fields.String(
        required=True, metadata={"description": "consent, safeguarding, crime or legal_duty"}
    )
    reason = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Required (10+ characters) unless consent"},
    )


class DisclosureOutSchema(Schema):
    id = fields.Integer()
    party_role = fields.String(allow_none=True)
    recipient = fields.String()
    purpose = fields.String()
    lawful_basis = fields.String()
    consent_id = fields.Integer(allow_none=True)
    information = fields.String()
    reason = fields.String(allow_none=True)
    disclosed_at = fields.DateTime()
    disclosed_by = fields.String()


class CaseSchema(Schema):
    reference = fields.String()
    channel = fields.String()
    incident_types = fields.List(fields.String())
    locality = fields.String(allow_none=True)
    route = fields.String(metadata={"description": "hate, or employee (a colleague reported by staff)"})
    team = fields.String(allow_none=True, metadata={"description": "the group whose officers may open it"})
    restricted = fields.Boolean(metadata={"description": "only the people named on it may open it"})
    hate_perceived = fields.Boolean()
    risk_level = fields.String(allow_none=True)
    first_response_breached_at = fields.DateTime(allow_none=True)
    parties = fields.List(fields.Nested(PartyOutSchema))
    referrals = fields.List(fields.Nested(ReferralSchema))
    consents = fields.List(fields.Nested(ConsentOutSchema))
    disclosures = fields.List(fields.Nested(DisclosureOutSchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    status = fields.String()
    stage = fields.String()
    version = fields.Integer()
    anonymised_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "when the retention job removed the case's personal data; null if not"},
    )
    reported_at = fields.DateTime()
    occurred_at = fields.DateTime(allow_none=True)
    location = fields.String()
    description = fields.String()
    strands = fields.List(fields.String())
    reported_strands = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "the strands as first perceived, once they were changed; null before"},
    )
    open_tasks = fields.List(fields.Nested(TaskSchema))
    timeline = fields.List(fields.Nested(TimelineEventSchema))


class ErrorSchema(Schema):
    code = fields.Integer()
    message = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String())
