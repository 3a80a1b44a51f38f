"""Campaign records transcribed from the seed terms (003_ gas, 004_ electricity) plus demo ones."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from backend.services.campaigns import RULE_DAY25, RULE_NEXT_MONTH, RULE_NEXT_MONTH_DAY21

GAS_RULE_TEXT = (
    "Obstoječim kupcem, ki izpolnijo vse pogoje za sodelovanje do vključno 25. dne v mesecu, "
    "prodajalec obračuna akcijske cene od vključno prvega dne v tem mesecu; tistim, ki jih izpolnijo "
    "od vključno 26. dne v mesecu dalje, od vključno prvega dne naslednjega meseca. Novim kupcem od "
    "dne uspešne zamenjave dobavitelja pri ODS v korist prodajalca."
)
ELEC_RULE_TEXT = (
    "Obstoječim kupcem prodajalec obračunava akcijske cene od prvega dne v mesecu, ki sledi mesecu, "
    "v katerem kupec predloži izdan SZP brez zadržkov in izpolni vse ostale pogoje, vendar ne pred "
    "1. 10. 2024. Če kupec pogoje izpolni med vključno 21. dnem v mesecu in koncem meseca, si prodajalec "
    "pridržuje pravico šteti, da jih je izpolnil prvi naslednji delovni dan. Novim kupcem od dne uspešne "
    "zamenjave dobavitelja pri DO (ali potrditve spremembe na merilnem mestu), vendar ne pred 1. 10. 2024."
)


def real_campaigns() -> list[dict[str, Any]]:
    """The two seed campaigns, in their amended (current) form with every amendment listed."""
    gas = {
        "code": "poceni-plin-jesen-2016-2",
        "brand": "gen-i",
        "name": "Poceni plin – jesen 2016/2",
        "energy": "zemeljski_plin",
        "is_demo": False,
        "household_only": True,
        "description": (
            "Akcija GEN-I za nove in obstoječe gospodinjske kupce zemeljskega plina: akcijska cena "
            "zemeljskega plina 0,2440 €/Sm3 brez DDV (0,2977 €/Sm3 z 22 % DDV) oziroma 0,02266 €/kWh "
            "brez DDV (0,02765 €/kWh z 22 % DDV), z veljavnostjo cen od 1. 11. 2016 do 31. 10. 2017."
        ),
        "join_from": date(2016, 11, 3),
        "join_to": date(2017, 1, 6),
        "documents_deadline": date(2017, 1, 16),
        "prices_valid_from": date(2016, 11, 1),
        "prices_valid_to": date(2017, 10, 31),
        "prices_valid_note": (
            "Cene veljajo od vključno 1. 11. 2016 do vključno 31. 10. 2017; po 31. 10. 2017 se plin "
            "obračuna po vsakokrat veljavnem Rednem ceniku."
        ),
        "prices": [
            {
                "item": "Akcijska cena »Poceni plin – jesen 2016/2«",
                "unit": "€/Sm3",
                "net": "0,2440",
                "gross": "0,2977",
                "vat": "22 %",
            },
            {
                "item": "Akcijska cena »Poceni plin – jesen 2016/2«",
                "unit": "€/kWh",
                "net": "0,02266",
                "gross": "0,02765",
                "vat": "22 %",
                "note": "Dodano s Spremembami št. 2; pretvorba z zgornjo kurilnostjo 10,769 kWh/Sm3.",
            },
        ],
        "fees": [],
        "discounts": [],
        "conditions": [
            "Le gospodinjski odjemalec (potrošnik – fizična oseba, ki kupuje zemeljski plin za lastno "
            "domačo porabo; ne za pridobitno, gospodarsko ali poklicno dejavnost in ne za večstanovanjske "
            "stavbe oziroma njihove skupne dele).",
            "Novi kupec ne sodeluje v nobeni drugi akciji prodajalca za kupce zemeljskega plina.",
            "Kupec v času trajanja akcije sam naveže stik s prodajalcem (080 1558, poceniplin@gen-i.si, "
            "www.poceniplin.si) in izrazi željo po sodelovanju.",
            "Novi kupec v času akcije sklene Pogodbo; menjava dobavitelja pri ODS mora biti uspešno "
            "izvedena. Podpisana Pogodba mora biti dostavljena do vključno 16. 1. 2017.",
            "Kupec pristopi k akciji in prejemanju PDF računov prek portala Moj GEN-I s podpisano Izjavo, "
            "dostavljeno do vključno 16. 1. 2017.",
            "Obstoječemu kupcu, ki v zadnjih dvanajstih mesecih (od 1. 11. 2015 dalje) ni bil v zamudi s "
            "plačilom računov za zemeljski plin, pristop k PDF računom ni potreben (Spremembe št. 1).",
        ],
        "required_documents": [
            "Izjava o sodelovanju novega in obstoječega kupca v akciji »Poceni plin – jesen 2016/2«",
            "Pogodba (samo novi kupci)",
        ],
        "price_start_rule": RULE_DAY25,
        "price_start_rule_text": GAS_RULE_TEXT,
        "contact": "080 1558, poceniplin@gen-i.si, www.poceniplin.si",
        "source": "003_fe51e88b26e33e90.txt",
        "adopted_on": date(2016, 11, 3),
        "amendments": [
            {
                "number": 1,
                "adopted_on": date(2016, 12, 1),
                "title": "Spremembe Vsebine in pogojev za sodelovanje v akciji "
                "»Poceni plin – jesen 2016/2« št. 1",
                "changes": [
                    "Spremenjeni pogoji za sodelovanje (točka 3): obstoječemu kupcu pristop k prejemanju "
                    "računov v .pdf obliki ni potreben, če v zadnjih dvanajstih mesecih, šteto od "
                    "1. 11. 2015 "
                    "dalje, pri prodajalcu ni bil v zamudi s plačilom računov za zemeljski plin.",
                    "Trajanje akcije ostaja od vključno 3. 11. 2016 do vključno 6. 1. 2017.",
                ],
            },
            {
                "number": 2,
                "adopted_on": date(2016, 12, 29),
                "title": "Spremembe Vsebine in pogojev za sodelovanje v akciji "
                "»Poceni plin – jesen 2016/2« št. 2",
                "changes": [
                    "Spremenjena uvodna določila (točka 1): sodeluje lahko gospodinjski odjemalec; Splošni "
                    "pogoji se nanašajo na odjemna mesta v odjemnih skupinah od CDK1 do CDK8 (prej: letna "
                    "poraba do 70.000 Sm3).",
                    "Spremenjena vsebina akcije (točka 4): cenik tudi v energijskih enotah – 0,02266 €/kWh "
                    "brez DDV oziroma 0,02765 €/kWh z 22 % DDV (0,2440 €/Sm3 oziroma 0,2977 €/Sm3); "
                    "pretvorba "
                    "z zgornjo kurilnostjo 10,769 kWh/Sm3.",
                    "Trajanje akcije ostaja od vključno 3. 11. 2016 do vključno 6. 1. 2017.",
                ],
            },
        ],
    }
    elec = {
        "code": "99-99-nizja-cena-elektrike-do-samooskrbe",
        "brand": "gen-i",
        "name": "99,99 % nižja cena elektrike do samooskrbe",
        "energy": "elektrika",
        "is_demo": False,
        "household_only": True,
        "description": (
            "Akcija GEN-I za nove in obstoječe gospodinjske kupce električne energije, ki z GEN-I SONCE "
            "sklenejo Pogodbo o izgradnji naprave za samooskrbo: cene VT, MT in ET 0,00001 €/kWh do "
            "priklopa naprave za samooskrbo, najdlje do 31. 8. 2026; 100 % jedrska energija 0,00 €; "
            "mesečno nadomestilo 1,99 € brez DDV (2,43 € z DDV), z EKO popustom 0,99 € (1,21 € z DDV)."
        ),
        "join_from": date(2024, 10, 1),
        "join_to": date(2026, 6, 30),
        "documents_deadline": date(2026, 7, 10),
        "prices_valid_from": date(2024, 10, 1),
        "prices_valid_to": date(2026, 8, 31),
        "prices_valid_note": (
            "Akcijske cene se obračunavajo do dne uspešnega priklopa naprave za samooskrbo oziroma "
            "najdlje do 31. 8. 2026 (Sprememba št. 2; prej 28. 2. 2026 po Spremembi št. 1 in prvotno "
            "30. 6. 2025); nato po Rednem ceniku."
        ),
        "prices": [
            {"item": "VT", "unit": "€/kWh", "net": "0,00001", "gross": "0,00001", "vat": "22 %"},
            {"item": "MT", "unit": "€/kWh", "net": "0,00001", "gross": "0,00001", "vat": "22 %"},
            {"item": "ET", "unit": "€/kWh", "net": "0,00001", "gross": "0,00001", "vat": "22 %"},
            {
                "item": "Dodatek za izbiro vira energije – 100 % jedrska energija",
                "unit": "€/merilno mesto/mesec",
                "net": "0,00",
                "gross": "0,00",
                "vat": "22 %",
            },
        ],
        "fees": [
            {
                "item": "Mesečno nadomestilo",
                "unit": "€/merilno mesto/mesec",
                "net": "1,99",
                "gross": "2,43",
                "vat": "22 %",
            },
            {
                "item": "Znižano mesečno nadomestilo ob koriščenju EKO popusta",
                "unit": "€/merilno mesto/mesec",
                "net": "0,99",
                "gross": "1,21",
                "vat": "22 %",
            },
        ],
        "discounts": [
            {
                "item": "EKO popust",
                "gross": "1,22",
                "unit": "€/mesec za eno merilno mesto (z 22 % DDV)",
                "condition": "Prejemanje računov v elektronski obliki (PDF račun prek portala Moj GEN-I ali "
                "e-račun v spletno banko) namesto papirnatega računa; upošteva se na prvem "
                "računu, prejetem v elektronski obliki.",
            },
        ],
        "conditions": [
            "Le gospodinjski odjemalec (lastna raba v gospodinjstvu; ne za trgovske ali poklicne dejavnosti "
            "in ne za skupne dele večstanovanjskih stavb).",
            "Novi kupec v času akcije ne sodeluje v nobeni drugi akciji prodajalca za kupce električne "
            "energije.",
            "Obstoječi kupec ima na dan pristopa s prodajalcem sklenjeno Pogodbo o dobavi električne "
            "energije gospodinjskemu odjemalcu za vsaj eno merilno mesto in poda Izjavo obstoječega kupca.",
            "Kupec od 1. 10. 2024 do vključno 30. 6. 2026 z GEN-I SONCE, d.o.o. sklene Pogodbo o izgradnji "
            "naprave za samooskrbo.",
            "Kupec od distribucijskega operaterja pridobi soglasje za priključitev (SZP) brez zadržkov in "
            "prodajalcu predloži kopijo Pogodbe o izgradnji naprave za samooskrbo ter SZP.",
            "Podpisani dokumenti morajo biti dostavljeni do vključno 10. 7. 2026; elektronsko naročilo "
            "oddano do vključno 30. 6. 2026.",
            "Za več merilnih mest se za vsako ločeno sklene Pogodba z Izjavo / Izjava in Pogodba o "
            "izgradnji naprave za samooskrbo.",
            "Kupec stik s prodajalcem naveže po telefonu 080 1558, na elektrika@gen-i.si ali prek "
            "www.gen-i.si.",
        ],
        "required_documents": [
            "Izjava obstoječega kupca (novi kupci: Pogodba o dobavi z Izjavo)",
            "Pogodba o izgradnji naprave za samooskrbo (z GEN-I SONCE, d.o.o.)",
            "SZP – soglasje za priključitev brez zadržkov (izda distribucijski operater)",
        ],
        "price_start_rule": RULE_NEXT_MONTH_DAY21,
        "price_start_rule_text": ELEC_RULE_TEXT,
        "contact": "080 1558, elektrika@gen-i.si, www.gen-i.si",
        "source": "004_96262e17d2faf8fa.txt",
        "adopted_on": date(2024, 10, 1),
        "amendments": [
            {
                "number": 1,
                "adopted_on": date(2025, 3, 28),
                "title": "Spremembe št. 1 Vsebine in pogojev za sodelovanje v akciji »99,99% nižja cena "
                "elektrike do samooskrbe«",
                "changes": [
                    "Obdobje pristopa: 31. 3. 2025 se nadomesti z 31. 12. 2025 (akcija traja od vključno "
                    "1. 10. 2024 do vključno 31. 12. 2025).",
                    "Rok za sklenitev Pogodbe o izgradnji naprave za samooskrbo: 31. 12. 2025.",
                    "Rok za dostavo podpisane dokumentacije oziroma elektronsko naročilo: 10. 4. 2025 se "
                    "nadomesti z 9. 1. 2026.",
                    "Najdaljša veljavnost akcijskih cen: 30. 6. 2025 se nadomesti z 28. 2. 2026.",
                    "Spremenjena tretji in četrti odstavek točke 6 (reševanje sporov – ECDR; podaljšanje ali "
                    "predčasni zaključek akcije).",
                ],
            },
            {
                "number": 2,
                "adopted_on": None,
                "title": "Sprememba št. 2 Vsebine in pogojev za sodelovanje v akciji »99,99% nižja cena "
                "elektrike do samooskrbe«",
                "changes": [
                    "Obdobje pristopa: 31. 12. 2025 se nadomesti s 30. 6. 2026 (akcija traja od vključno "
                    "1. 10. 2024 do vključno 30. 6. 2026).",
                    "Rok za sklenitev Pogodbe o izgradnji naprave za samooskrbo: 30. 6. 2026.",
                    "Rok za dostavo podpisane dokumentacije: 10. 7. 2026; elektronsko naročilo do "
                    "30. 6. 2026.",
                    "Najdaljša veljavnost akcijskih cen: 28. 2. 2026 se nadomesti z 31. 8. 2026.",
                    "Datum sprejema spremembe št. 2 v izvornem besedilu ni naveden.",
                ],
            },
        ],
    }
    return [gas, elec]


def _month_start(d: date, offset: int) -> date:
    m = d.year * 12 + d.month - 1 + offset
    return date(m // 12, m % 12 + 1, 1)


def _month_end(d: date, offset: int) -> date:
    return _month_start(d, offset + 1) - timedelta(days=1)


def demo_campaigns(today: date) -> list[dict[str, Any]]:
    """Demo campaigns anchored on the seeding date, so one per energy is open 'now'."""
    common: dict[str, Any] = {
        "is_demo": True,
        "household_only": True,
        "discounts": [],
        "amendments": [],
        "source": "demo",
        "documents_deadline": None,
    }
    j_from, j_to = _month_start(today, -2), _month_end(today, 4)
    return [
        {
            **common,
            "code": "demo-ugodna-elektrika",
            "brand": "gen-i",
            "name": "DEMO – Ugodna elektrika (demo akcija)",
            "energy": "elektrika",
            "description": "DEMO akcija za preizkus asistenta; ni resnična ponudba.",
            "join_from": j_from,
            "join_to": j_to,
            "prices_valid_from": _month_start(today, -1),
            "prices_valid_to": _month_end(today, 12),
            "prices_valid_note": "Demo cene veljajo 12 mesecev.",
            "prices": [
                {"item": "VT", "unit": "€/kWh", "net": "0,09900", "gross": "0,12078", "vat": "22 %"},
                {"item": "MT", "unit": "€/kWh", "net": "0,07900", "gross": "0,09638", "vat": "22 %"},
            ],
            "fees": [
                {
                    "item": "Mesečno nadomestilo",
                    "unit": "€/merilno mesto/mesec",
                    "net": "1,99",
                    "gross": "2,43",
                    "vat": "22 %",
                }
            ],
            "conditions": [
                "Gospodinjski odjemalec.",
                "Ne sodeluje v drugi akciji za električno energijo.",
                "Polni dostop do merilnega mesta v portalu.",
            ],
            "required_documents": [],
            "price_start_rule": RULE_NEXT_MONTH_DAY21,
            "price_start_rule_text": ELEC_RULE_TEXT,
            "contact": "080 1558",
            "adopted_on": j_from,
        },
        {
            **common,
            "code": "demo-ugoden-plin",
            "brand": "gen-i",
            "name": "DEMO – Ugoden zemeljski plin (demo akcija)",
            "energy": "zemeljski_plin",
            "description": "DEMO akcija za preizkus asistenta; ni resnična ponudba.",
            "join_from": j_from,
            "join_to": j_to,
            "prices_valid_from": _month_start(today, -2),
            "prices_valid_to": _month_end(today, 10),
            "prices_valid_note": None,
            "prices": [
                {
                    "item": "Akcijska cena",
                    "unit": "€/kWh",
                    "net": "0,04500",
                    "gross": "0,05490",
                    "vat": "22 %",
                }
            ],
            "fees": [],
            "conditions": [
                "Gospodinjski odjemalec.",
                "Ne sodeluje v drugi akciji za zemeljski plin.",
                "Polni dostop do merilnega mesta v portalu.",
            ],
            "required_documents": ["Izjava o sodelovanju v akciji (demo)"],
            "price_start_rule": RULE_DAY25,
            "price_start_rule_text": GAS_RULE_TEXT,
            "contact": "080 1558",
            "adopted_on": j_from,
        },
        {
            **common,
            "code": "demo-plin-zakljucena",
            "brand": "gen-i",
            "name": "DEMO – Plin prejšnje sezone (zaključena demo akcija)",
            "energy": "zemeljski_plin",
            "description": "DEMO akcija, pristop zaključen; nekateri demo kupci v njej še sodelujejo.",
            "join_from": _month_start(today, -10),
            "join_to": _month_end(today, -7),
            "prices_valid_from": _month_start(today, -9),
            "prices_valid_to": _month_end(today, 3),
            "prices_valid_note": None,
            "prices": [
                {
                    "item": "Akcijska cena",
                    "unit": "€/kWh",
                    "net": "0,04900",
                    "gross": "0,05978",
                    "vat": "22 %",
                }
            ],
            "fees": [],
            "conditions": ["Gospodinjski odjemalec."],
            "required_documents": [],
            "price_start_rule": RULE_DAY25,
            "price_start_rule_text": GAS_RULE_TEXT,
            "contact": "080 1558",
            "adopted_on": _month_start(today, -10),
        },
        {
            **common,
            "code": "demo-butan-unp",
            "brand": "butan-plin",
            "name": "DEMO – Ugoden UNP za ogrevanje (demo akcija)",
            "energy": "unp",
            "description": "DEMO akcija Butan plin za preizkus asistenta; ni resnična ponudba.",
            "join_from": j_from,
            "join_to": j_to,
            "prices_valid_from": _month_start(today, -2),
            "prices_valid_to": _month_end(today, 10),
            "prices_valid_note": None,
            "prices": [
                {"item": "UNP za ogrevanje", "unit": "€/l", "net": "0,6900", "gross": "0,8418", "vat": "22 %"}
            ],
            "fees": [],
            "conditions": ["Gospodinjski odjemalec.", "Polni dostop do odjemnega mesta."],
            "required_documents": [],
            "price_start_rule": RULE_NEXT_MONTH,
            "price_start_rule_text": "Akcijske cene veljajo od prvega dne naslednjega meseca po pristopu.",
            "contact": "podpora@butanplin.si",
            "adopted_on": j_from,
        },
        {
            **common,
            "code": "demo-pomladna-elektrika",
            "brand": "gen-i",
            "name": "DEMO – Pomladna elektrika (prihajajoča demo akcija)",
            "energy": "elektrika",
            "description": "DEMO akcija, ki se še ni začela.",
            "join_from": _month_start(today, 5),
            "join_to": _month_end(today, 8),
            "prices_valid_from": _month_start(today, 6),
            "prices_valid_to": _month_end(today, 18),
            "prices_valid_note": None,
            "prices": [{"item": "ET", "unit": "€/kWh", "net": "0,09500", "gross": "0,11590", "vat": "22 %"}],
            "fees": [],
            "conditions": ["Gospodinjski odjemalec."],
            "required_documents": [],
            "price_start_rule": RULE_NEXT_MONTH_DAY21,
            "price_start_rule_text": ELEC_RULE_TEXT,
            "contact": "080 1558",
            "adopted_on": _month_start(today, 4),
        },
    ]
