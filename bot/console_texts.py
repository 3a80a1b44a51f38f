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

# After a hand-back to the bot or a resolve: one question, five buttons (1 = zelo nezadovoljni).
SATISFACTION_QUESTION = "Kako ste zadovoljni s pomočjo svetovalca?"
SATISFACTION_TITLES = {
    1: "1 – zelo nezadovoljni",
    2: "2",
    3: "3",
    4: "4",
    5: "5 – zelo zadovoljni",
}
SATISFACTION_THANKS = "Hvala za vašo oceno."
SATISFACTION_ALREADY = "Ta pogovor ste že ocenili. Hvala."
SATISFACTION_FAILED = "Vaše ocene trenutno žal ne moremo shraniti. Hvala, da ste si vzeli čas."


def claim_notice(name: str, gender: str = "") -> str:
    """The notice the customer gets on their own channel when an agent takes the conversation."""
    return CLAIM_NOTICE.get(gender, CLAIM_NOTICE[""]).format(name=name)
