"""The one declarative specification of the spreadsheet templates.

Every sheet (or CSV file) holds one kind of thing; every column says which RDF property
it fills, what type its cells have, whether it is required and what values it allows.
The template writer, the loader, the exporter and docs/tables.md are all derived from
the `SHEETS` table below, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from graph_app.core.namespaces import (
    CFA,
    CFK,
    CLK,
    CND,
    DCTERMS,
    DPK,
    EXM,
    FOAF,
    IDV,
    LVL,
    OWL,
    PAV,
    QA,
    RDFS,
    RQB,
    SEC,
    SEMAPV,
    SKOS,
    SSSOM,
)

ColumnType = TypingLiteral[
    "id",  # the row's own identifier (a slug, or a full IRI)
    "text",  # a plain string (xsd:string)
    "langtext",  # a string in the column's language (sv or en)
    "tagged",  # strings with their language: "Text@nb"
    "date",  # xsd:date, YYYY-MM-DD (or an Excel date)
    "duration",  # xsd:duration, ISO 8601, e.g. P5Y
    "boolean",  # xsd:boolean: true/false, ja/nej, yes/no
    "integer",  # xsd:integer
    "decimal",  # xsd:double
    "url",  # an IRI with http or https
    "country",  # an ISO 3166-1 alpha-2 code as xsd:string
    "reference",  # another row (this load or the store): id, label or IRI
    "concept",  # a concept of a SKOS concept scheme: notation or prefLabel (sv/en)
    "choice",  # one of a fixed list of values (see Choice)
    "eqf",  # an EQF level 1-8, stored as http://data.europa.eu/snb/eqf/N
]

SEPARATOR = "|"
EQF_BASE = "http://data.europa.eu/snb/eqf/"


@dataclass(frozen=True)
class Choice:
    """One allowed value of a `choice` column: what is written, what it means in RDF."""

    value: str
    iri: str
    sv: str
    en: str


@dataclass(frozen=True)
class Column:
    name: str
    sv: str
    en: str
    type: ColumnType
    predicate: str | None = None  # full IRI of the property the column fills
    required: bool = False
    multiple: bool = False  # several values separated by SEPARATOR
    lang: str | None = None  # for langtext
    targets: tuple[str, ...] = ()  # for reference: names of the sheets it may point to
    scheme: str | None = None  # for concept: the concept scheme's IRI
    choices: tuple[Choice, ...] = ()  # for choice
    inverse: bool = False  # the triple is (target, predicate, this row)
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Sheet:
    """One sheet: a kind of entity (one row per entity) or a table of links (edges)."""

    name: str
    kind: str  # the IRI path segment: https://w3id.org/qagraph/id/{kind}/{slug}
    rdf_class: str | None  # None for a sheet of links
    sv: str
    en: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    needs_name: bool = False  # a name in at least one language (label_sv, label_en or label_other)

    @property
    def is_links(self) -> bool:
        return self.rdf_class is None

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


# ---------------------------------------------------------------------------------------
# Columns that many sheets share
# ---------------------------------------------------------------------------------------

LABEL = RDFS + "label"


def _id(sv: str, en: str) -> Column:
    return Column("id", f"Stabil identifierare ({sv}); tom = skapas av namnet. "
                  "En kortform (slug) eller en hel IRI.",
                  f"Stable identifier ({en}); empty = made from the name. "
                  "A short form (slug) or a full IRI.", "id")


def _names() -> tuple[Column, ...]:
    return (
        Column("label_sv", "Namn på svenska", "Name in Swedish", "langtext", LABEL, lang="sv"),
        Column("label_en", "Namn på engelska", "Name in English", "langtext", LABEL, lang="en"),
        Column("label_other", "Namn på andra språk, som Text@nb", "Names in other languages, as Text@nb",
               "tagged", LABEL, multiple=True),
        Column("alt_label", "Andra namn och förkortningar, som Text@sv",
               "Other names and abbreviations, as Text@sv", "tagged", SKOS + "altLabel", multiple=True),
    )


def _about() -> tuple[Column, ...]:
    return (
        Column("description_sv", "Beskrivning på svenska", "Description in Swedish", "langtext",
               DCTERMS + "description", lang="sv"),
        Column("description_en", "Beskrivning på engelska", "Description in English", "langtext",
               DCTERMS + "description", lang="en"),
        Column("comment_sv", "Kommentar på svenska", "Comment in Swedish", "langtext",
               RDFS + "comment", lang="sv"),
        Column("comment_en", "Kommentar på engelska", "Comment in English", "langtext",
               RDFS + "comment", lang="en"),
        Column("source", "Webbadress till den offentliga källan", "URL of the public source", "url",
               DCTERMS + "source", multiple=True),
        _ref("related", "Besläktade poster, som typ/id (standard/sfs-6002)",
             "Related entries, as kind/id (standard/sfs-6002)", DCTERMS + "relation", *ENTITY_SHEETS,
             multiple=True),
    )


def _place() -> tuple[Column, ...]:
    return (
        Column("country", "Land, ISO 3166-1-kod med två bokstäver (SE)",
               "Country, ISO 3166-1 alpha-2 code (SE)", "country", QA + "country", multiple=True),
        Column("sector", "Sektor", "Sector", "concept", QA + "sector", multiple=True,
               scheme=SEC + "Sectors"),
        Column("homepage", "Webbplats", "Home page", "url", FOAF + "homepage", multiple=True),
    )


def _ref(name: str, sv: str, en: str, predicate: str, *targets: str, required: bool = False,
         multiple: bool = False, inverse: bool = False) -> Column:
    return Column(name, sv, en, "reference", predicate, required=required, multiple=multiple,
                  targets=targets, inverse=inverse)


def _concept(name: str, sv: str, en: str, predicate: str, scheme: str, required: bool = False,
             multiple: bool = False) -> Column:
    return Column(name, sv, en, "concept", predicate, required=required, multiple=multiple,
                  scheme=scheme)


def _date(name: str, sv: str, en: str, predicate: str, required: bool = False) -> Column:
    return Column(name, sv, en, "date", predicate, required=required)


def _bool(name: str, sv: str, en: str, predicate: str) -> Column:
    return Column(name, sv, en, "boolean", predicate)


def _langpair(stem: str, sv: str, en: str, predicate: str) -> tuple[Column, ...]:
    return (
        Column(f"{stem}_sv", f"{sv} (svenska)", f"{en} (Swedish)", "langtext", predicate, lang="sv"),
        Column(f"{stem}_en", f"{sv} (engelska)", f"{en} (English)", "langtext", predicate, lang="en"),
    )


ENTITY_SHEETS = ("organisations", "credentials", "routes", "standards", "schemes", "collaborations",
                 "recognitions", "requirements", "controls", "persons", "awards", "accreditations",
                 "conditions", "qualified_dependencies", "country_validities")


def entity(name: str, kind: str, rdf_class: str, sv: str, en: str, *columns: Column,
           place: bool = True, label_required: bool = True) -> Sheet:
    """A sheet with one row per entity: id, names, the given columns, country and sector,
    description, comment, sources and related entries."""
    cols = (_id(sv, en), *_names(), *columns, *(_place() if place else ()), *_about())
    return Sheet(name, kind, rdf_class, sv, en, cols, needs_name=label_required)


ORG = "organisations"

DEPENDENCIES = (
    Choice("owned_by", QA + "ownedBy", "ägs av", "owned by"),
    Choice("controlled_by", QA + "controlledBy", "styrs av", "controlled by"),
    Choice("sub_organisation_of", QA + "subOrganisationOf", "är en del av", "is part of"),
    Choice("member_of", QA + "memberOf", "är medlem i", "is a member of"),
    Choice("shares_management_with", QA + "sharesManagementWith", "har gemensam ledning med",
           "shares management with"),
    Choice("accredited_by", QA + "accreditedBy", "är ackrediterad av", "is accredited by"),
)

MATCHES = tuple(
    Choice(local, SKOS + local, sv, en)
    for local, sv, en in (
        ("exactMatch", "likvärdig", "exact match"),
        ("closeMatch", "nära likvärdig", "close match"),
        ("broadMatch", "bredare", "broad match"),
        ("narrowMatch", "smalare", "narrow match"),
        ("relatedMatch", "besläktad", "related match"),
    )
)

JUSTIFICATIONS = tuple(
    Choice(local, SEMAPV + local, sv, en)
    for local, sv, en in (
        ("ManualMappingCuration", "manuell kurering", "manual mapping curation"),
        ("MappingReview", "granskning", "mapping review"),
        ("LexicalMatching", "lexikal matchning", "lexical matching"),
        ("LogicalReasoning", "logisk slutledning", "logical reasoning"),
        ("MappingChaining", "kedjning", "mapping chaining"),
        ("BackgroundKnowledgeBasedMatching", "bakgrundskunskap", "background knowledge"),
        ("UnspecifiedMatching", "ospecificerad", "unspecified matching"),
    )
)

MODIFIERS = (Choice("Not", "Not", "inte", "not"),)  # a literal, sssom:predicate_modifier

SHEETS: tuple[Sheet, ...] = (
    entity(
        ORG, "organisation", QA + "Organisation", "organisationer", "organisations",
        Column("legal_name", "Registrerat juridiskt namn, som Text@sv", "Registered legal name, as Text@sv",
               "tagged", QA + "legalName", multiple=True),
        _bool("public_authority", "Offentlig myndighet", "Public authority", QA + "publicAuthority"),
        Column("organisationsnummer", "Svenskt organisationsnummer (556036-0793)",
               "Swedish organisation number (556036-0793)", "text", QA + "organisationsnummer"),
        Column("organisasjonsnummer", "Norskt organisationsnummer (971277882)",
               "Norwegian organisation number (971277882)", "text", QA + "organisasjonsnummer"),
        Column("cvr_nummer", "Danskt CVR-nummer (13585897)", "Danish CVR number (13585897)", "text",
               QA + "cvrNummer"),
        Column("y_tunnus", "Finskt FO-nummer, Y-tunnus (0201256-6)", "Finnish Business ID, Y-tunnus (0201256-6)",
               "text", QA + "yTunnus"),
        place=True,
    ),
    Sheet(
        "dependencies", "organisation", None, "beroenden mellan organisationer",
        "dependencies between organisations",
        (
            _ref("organisation", "Organisationen som beror på en annan", "The organisation that depends",
                 "", ORG, required=True),
            Column("relation", "Slag av beroende", "Kind of dependency", "choice", required=True,
                   choices=DEPENDENCIES),
            _ref("target", "Organisationen som den beror på", "The organisation it depends on", "", ORG,
                 required=True),
        ),
    ),
    entity(
        "credentials", "credential", QA + "Credential", "meriter", "credentials",
        _ref("scheme", "Kvalitetssystem meriten hör till", "Quality scheme the credential belongs to",
             QA + "inScheme", "schemes", multiple=True),
        _ref("standards", "Standarder meriten vilar på", "Standards the credential rests on",
             QA + "basedOnStandard", "standards", multiple=True),
        Column("validity_period", "Giltighetstid, ISO 8601 (P5Y)", "Validity period, ISO 8601 (P5Y)",
               "duration", QA + "validityPeriod"),
        Column("eqf_level", "EQF-nivå 1-8", "EQF level 1-8", "eqf", QA + "eqfLevel", minimum=1, maximum=8),
        Column("seqf_level", "SeQF-nivå 1-8", "SeQF level 1-8", "integer", QA + "seqfLevel",
               minimum=1, maximum=8),
        _concept("claimed_level", "Nivå som systemet självt anger", "Level the scheme itself claims",
                 QA + "claimedLevel", LVL + "AssuranceLevels"),
        _bool("regulated", "Lagstadgad (licens eller lagkrav)", "Regulated (licence or statutory)",
              QA + "regulated"),
        _ref("regulated_by", "Myndighet som reglerar", "Authority that regulates", QA + "regulatedBy",
             ORG, multiple=True),
        Column("field_of_education", "Utbildningsområde, ISCED-F-IRI (http://data.europa.eu/snb/isced-f/1032)",
               "Field of education, ISCED-F IRI (http://data.europa.eu/snb/isced-f/1032)", "url",
               QA + "fieldOfEducation", multiple=True),
        Column("languages", "Språk, EU:s IRI (http://publications.europa.eu/resource/authority/language/SWE)",
               "Languages, the EU's IRI (http://publications.europa.eu/resource/authority/language/SWE)",
               "url", DCTERMS + "language", multiple=True),
        _ref("learning_outcomes", "Läranderesultat", "Learning outcomes", QA + "learningOutcome",
             "outcomes", multiple=True),
        place=True,
    ),
    entity(
        "routes", "route", QA + "IssuanceRoute", "utfärdandevägar", "issuance routes",
        _ref("credential", "Meriten vägen leder till", "The credential the route leads to",
             QA + "hasRoute", "credentials", required=True, inverse=True, multiple=True),
        _concept("assurance_level", "Kompetenssäkringsgrad", "Assurance level", QA + "assuranceLevel",
                 LVL + "AssuranceLevels", required=True),
        _ref("issuer", "Utfärdare", "Issuer", QA + "issuer", ORG, required=True, multiple=True),
        _ref("training_provider", "Utbildare", "Training providers", QA + "trainingProvider", ORG,
             multiple=True),
        _ref("examination_provider", "Examinatorer", "Examination providers",
             QA + "examinationProvider", ORG, multiple=True),
        _ref("sector_quality_assurer", "Sektorns kvalitetssäkrare", "Sector quality assurer",
             QA + "sectorQualityAssurer", ORG, multiple=True),
        _ref("accreditation_body", "Ackrediteringsorgan", "Accreditation body",
             QA + "accreditationBody", ORG, multiple=True),
        _ref("mandated_by", "Myndighet vars licens eller beslut ger mandat",
             "Authority whose licence or decision mandates the issuer", QA + "mandatedBy", ORG, multiple=True),
        _ref("qualification_council", "Kvalifikationsråd", "Qualification council",
             QA + "qualificationCouncil", ORG, multiple=True),
        _concept("examination_method", "Examinationsform", "Examination method",
                 QA + "examinationMethod", EXM + "ExaminationMethods", multiple=True),
        _bool("examines_learning_outcomes", "Läranderesultaten examineras",
              "Learning outcomes are examined", QA + "examinesLearningOutcomes"),
        _bool("attendance_control", "Närvaron kontrolleras", "Attendance is controlled",
              QA + "attendanceControl"),
        _concept("required_identity_verification", "Identitetskontroll som krävs",
                 "Identity verification required", QA + "requiredIdentityVerification",
                 IDV + "IdentityVerificationMethods", multiple=True),
        *_langpair("issuer_training_relation", "Utfärdarens relation till utbildningen",
                   "The issuer's relation to training", QA + "issuerTrainingRelation"),
    ),
    entity(
        "standards", "standard", QA + "Standard", "standarder", "standards",
        Column("standard_id", "Standardens beteckning (EN ISO 9606-1)",
               "The standard's designation (EN ISO 9606-1)", "text", QA + "standardId"),
        _ref("publisher", "Utgivare", "Publisher", QA + "publisher", ORG, multiple=True),
        place=True,
    ),
    entity(
        "schemes", "scheme", QA + "QualityScheme", "kvalitetssystem", "quality schemes",
        _ref("owner", "Ägare", "Owner", QA + "schemeOwner", ORG, multiple=True),
        _ref("partner_scheme", "Partnersystem", "Partner schemes", QA + "partnerScheme", "schemes",
             multiple=True),
        _ref("standards", "Standarder systemet följer", "Standards the scheme follows",
             QA + "schemeStandard", "standards", multiple=True),
        place=True,
    ),
    entity(
        "collaborations", "collaboration", QA + "Collaboration", "samarbeten", "collaborations",
        _concept("kind", "Slag av samarbete", "Kind of collaboration", QA + "collaborationKind",
                 CLK + "CollaborationKinds", required=True),
        _ref("members", "Medlemmar", "Members", QA + "collaborationMember", ORG, multiple=True,
             required=True),
        _date("start_date", "Startdatum", "Start date", QA + "startDate"),
        _date("end_date", "Slutdatum", "End date", QA + "endDate"),
        label_required=False,
    ),
    entity(
        "recognitions", "recognition", QA + "Recognition", "erkännanden", "recognitions",
        _ref("recognised_by", "Vem som erkänner", "Who recognises", QA + "recognisedBy", ORG,
             required=True, multiple=True),
        _ref("credential", "Meriten som erkänns", "The credential recognised",
             QA + "recognisedCredential", "credentials", required=True, multiple=True),
        _ref("recognised_for", "Kravet den då uppfyller", "The requirement it then meets",
             QA + "recognisedFor", "requirements", multiple=True),
        _ref("recognised_as", "Meriten den då likställs med", "The credential it is treated as",
             QA + "recognisedAs", "credentials", multiple=True),
        _date("valid_from", "Gäller från", "Valid from", QA + "validFrom"),
        _date("valid_until", "Gäller till", "Valid until", QA + "validUntil"),
        _date("covers_awards_issued_from", "Omfattar intyg utfärdade från",
              "Covers awards issued from", QA + "coversAwardsIssuedFrom"),
        _date("covers_awards_issued_until", "Omfattar intyg utfärdade till",
              "Covers awards issued until", QA + "coversAwardsIssuedUntil"),
        _ref("conditions", "Villkor (rader i bladet conditions)", "Conditions (rows of the conditions sheet)",
             QA + "hasCondition", "conditions", multiple=True),
        *_langpair("condition", "Villkor i fritext (föråldrat)", "Free-text conditions (deprecated)",
                   QA + "condition"),
        label_required=False,
    ),
    entity(
        "requirements", "requirement", QA + "Requirement", "krav", "requirements",
        _concept("basis", "Grund för kravet", "Basis of the requirement", QA + "requirementBasis",
                 RQB + "RequirementBases", multiple=True),
        _ref("set_by", "Kravställare", "Requirement setter", QA + "setBy", ORG, multiple=True),
        _ref("requires_credential", "Merit som krävs", "Credential required",
             QA + "requiresCredential", "credentials", multiple=True),
        _concept("requires_minimum_level", "Lägsta nivå som krävs", "Minimum level required",
                 QA + "requiresMinimumLevel", LVL + "AssuranceLevels"),
        _concept("minimum_identity_verification", "Svagaste identitetskontroll som godtas",
                 "Weakest identity verification accepted", QA + "requiresMinimumIdentityVerification",
                 IDV + "IdentityVerificationMethods"),
        Column("maximum_age", "Högsta ålder på intyget, ISO 8601 (P3Y)", "Maximum age of the award, ISO 8601 (P3Y)",
               "duration", QA + "maximumAge"),
        _ref("conditions", "Villkor (rader i bladet conditions)", "Conditions (rows of the conditions sheet)",
             QA + "hasCondition", "conditions", multiple=True),
        _bool("requires_identity_assurance", "Identiteten ska vara styrkt (föråldrat)",
              "The holder's identity must be verified (deprecated)", QA + "requiresIdentityAssurance"),
        _date("valid_from", "Gäller från", "Valid from", QA + "validFrom"),
        _date("valid_until", "Gäller till", "Valid until", QA + "validUntil"),
    ),
    entity(
        "controls", "control", QA + "ControlFunction", "kontrollfunktioner", "control functions",
        _concept("kind", "Slag av kontrollfunktion", "Kind of control function", QA + "controlKind",
                 CFK + "ControlFunctionKinds", required=True, multiple=True),
        _ref("applied_by", "Vem som tillämpar den", "Who applies it", QA + "appliedBy", ORG,
             multiple=True),
        _concept("applier_kind", "Slag av tillämpare", "Kind of applier", QA + "applierKind",
                 CFA + "ControlApplierKinds", multiple=True),
        _ref("applies_to", "Vad den gäller (merit, system, krav eller organisation)",
             "What it applies to (credential, scheme, requirement or organisation)", QA + "appliesTo",
             "credentials", "schemes", "requirements", ORG, multiple=True),
        _concept("provides_identity_verification", "Identitetskontroll den ger",
                 "Identity verification it provides", QA + "providesIdentityVerification",
                 IDV + "IdentityVerificationMethods", multiple=True),
    ),
    entity("persons", "person", QA + "Person", "personer", "persons"),
    entity(
        "awards", "award", QA + "Award", "tilldelningar", "awards",
        _ref("awardee", "Personen", "The person", QA + "awardee", "persons", required=True),
        _ref("credential", "Meriten", "The credential", QA + "awardedCredential", "credentials",
             required=True),
        _ref("route", "Utfärdandevägen", "The issuance route", QA + "viaRoute", "routes"),
        _ref("awarded_by", "Utfärdat av", "Awarded by", QA + "awardedBy", ORG, multiple=True),
        _date("issued", "Utfärdat", "Issued", QA + "issued", required=True),
        _date("expires", "Går ut", "Expires", QA + "expires"),
        _concept("identity_verification", "Hur identiteten styrktes", "How identity was verified",
                 QA + "identityVerification", IDV + "IdentityVerificationMethods"),
        label_required=False,
    ),
    entity(
        "accreditations", "accreditation", QA + "Accreditation", "ackrediteringar", "accreditations",
        _ref("accrediting_body", "Ackrediteringsorganet", "The accreditation body", QA + "accreditingBody",
             ORG, required=True, multiple=True),
        _ref("accredited_organisation", "Den ackrediterade organisationen", "The accredited organisation",
             QA + "accreditedOrganisation", ORG, required=True, multiple=True),
        _ref("standard", "Standarden", "The standard", QA + "accreditationStandard", "standards",
             multiple=True),
        _date("start_date", "Startdatum", "Start date", QA + "startDate"),
        _date("end_date", "Slutdatum", "End date", QA + "endDate"),
        label_required=False,
    ),
    entity(
        "mappings", "mapping", OWL + "Axiom", "mappningar", "mappings",
        _ref("subject", "Meriten som mappas", "The credential mapped", OWL + "annotatedSource",
             "credentials", required=True),
        Column("predicate", "Slag av mappning (SKOS)", "Kind of mapping (SKOS)", "choice",
               OWL + "annotatedProperty", required=True, choices=MATCHES),
        _ref("object", "Meriten den mappas till", "The credential mapped to", OWL + "annotatedTarget",
             "credentials", required=True),
        Column("modifier", "Not = uttryckligen inte likvärdig", "Not = explicitly not equivalent",
               "choice", SSSOM + "predicate_modifier", choices=MODIFIERS),
        Column("justification", "Motivering (SEMAPV)", "Justification (SEMAPV)", "choice",
               SSSOM + "mapping_justification", required=True, choices=JUSTIFICATIONS),
        _ref("author", "Vem som gjort mappningen", "Who made the mapping", PAV + "authoredBy", ORG,
             "persons", multiple=True),
        _ref("reviewer", "Vem som granskat den", "Who reviewed it", SSSOM + "reviewer_id", ORG,
             "persons", multiple=True),
        _date("mapping_date", "Datum", "Date", DCTERMS + "created"),
        Column("confidence", "Säkerhet 0-1", "Confidence 0-1", "decimal", SSSOM + "confidence",
               minimum=0, maximum=1),
        Column("see_also", "Se även (t.ex. beslutsprotokoll)", "See also (e.g. the decision minutes)",
               "url", RDFS + "seeAlso", multiple=True),
        label_required=False, place=False,
    ),
    entity("outcomes", "outcome", QA + "LearningOutcome", "läranderesultat", "learning outcomes",
           place=False),
    entity(
        "qualified_dependencies", "dependency", QA + "Dependency", "beroenden med datum eller andel",
        "dependencies with dates or a share",
        _ref("dependent", "Organisationen som är beroende (ägs, styrs, är en del)",
             "The organisation that depends (is owned, controlled, part)", QA + "dependentOrganisation", ORG,
             required=True),
        _ref("on", "Organisationen den beror på (ägare, styrande, helhet)",
             "The organisation it depends on (owner, controller, whole)", QA + "onOrganisation", ORG,
             required=True),
        _concept("kind", "Slag av beroende", "Kind of dependency", QA + "dependencyKind",
                 DPK + "DependencyKinds", required=True),
        Column("share", "Ägarandel i procent (över 0, högst 100)", "Ownership share in per cent (above 0, at most 100)",
               "decimal", QA + "ownershipShare", minimum=0, maximum=100),
        _date("start_date", "Från", "From", QA + "startDate"),
        _date("end_date", "Till och med", "Until", QA + "endDate"),
        label_required=False, place=False,
    ),
    entity(
        "country_validities", "validity", QA + "CountryValidity", "giltighet per land", "validity by country",
        _ref("credential", "Meriten", "The credential", QA + "countryValidity", "credentials", required=True,
             inverse=True),
        Column("country", "Landet, ISO 3166-1-kod (NO)", "The country, ISO 3166-1 code (NO)", "country",
               QA + "country", required=True),
        Column("validity_period", "Giltighetstid i landet, ISO 8601 (P3Y)",
               "Validity period in the country, ISO 8601 (P3Y)", "duration", QA + "validityPeriod",
               required=True),
        label_required=False, place=False,
    ),
    entity(
        "conditions", "condition", QA + "Condition", "villkor", "conditions",
        _concept("kind", "Slag av villkor", "Kind of condition", QA + "conditionKind", CND + "ConditionKinds",
                 required=True),
        place=False,
    ),
)

SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
