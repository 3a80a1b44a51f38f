"""The customer-facing texts the gateway itself sends about agents (not Rasa's): who took the
conversation, the satisfaction question after a human chat and its answers. One module, so the
wording is reviewed in one place; polite Slovene (vikanje)."""

from __future__ import annotations

# Who took the conversation. The gender comes from AGENT_USERS (":ž" / ":m"); without it the
# sentence avoids a gendered verb ("prevzel" / "prevzela").
CLAIM_NOTICE = {
    "ž": "Pogovor je prevzela svetovalka {name}.",
    "m": "Pogovor je prevzel svetovalec {name}.",
    "": "Z vami se zdaj pogovarja {name} iz službe za pomoč strankam.",
}

# After a hand-back to the bot or a resolve: one question, five buttons. The titles are bare digits
# so that an SMS reads "Odgovorite s številko: 1 – 1, ..." no worse than the web's buttons.
SATISFACTION_QUESTION = "Kako ste zadovoljni s pomočjo svetovalca? (1 = zelo nezadovoljni, 5 = zelo zadovoljni)"
SATISFACTION_SCORES = (1, 2, 3, 4, 5)
# Payload of the answer buttons: the gateway answers them itself, they never reach Rasa.
SATISFACTION_PREFIX = "ocena-svetovalca:"
SATISFACTION_THANKS = "Hvala za vašo oceno."
SATISFACTION_ALREADY = "Ta pogovor ste že ocenili. Hvala."
SATISFACTION_FAILED = "Vaše ocene trenutno žal ne moremo shraniti. Hvala, da ste si vzeli čas."


# The agent closed a live chat as solved (the bot has the conversation again).
RESOLVED_NOTICE = (
    "Svetovalec je pogovor zaključil. Če imate še kakšno vprašanje, vam z veseljem pomaga virtualni pomočnik."
)


def satisfaction_buttons(ticket_id: int) -> list[dict[str, str]]:
    return [{"title": str(n), "payload": f"{SATISFACTION_PREFIX}{ticket_id}:{n}"} for n in SATISFACTION_SCORES]


def parse_satisfaction(payload: str) -> tuple[int, int] | None:
    """(ticket id, score) of an answer button's payload; None for anything else."""
    if not payload.startswith(SATISFACTION_PREFIX):
        return None
    ticket, sep, score = payload[len(SATISFACTION_PREFIX):].partition(":")
    if not (sep and ticket.isdigit() and score.isdigit() and len(ticket) <= 10):
        return None
    if int(score) not in SATISFACTION_SCORES:
        return None
    return int(ticket), int(score)


def claim_notice(name: str, gender: str = "") -> str:
    """The notice the customer gets on their own channel when an agent takes the conversation."""
    return CLAIM_NOTICE.get(gender, CLAIM_NOTICE[""]).format(name=name)
