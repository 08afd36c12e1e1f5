"""Keyword screens used to keep the outlier pool free of law / finance / health questions.

They are deliberately broad: an outlier text that *might* be in-domain is dropped, not relabelled (a wrongly
rejected in-domain query costs more than a missing negative example). Matching is on lower-cased word tokens:
a token hits when it is one of the words, or starts with one of the stems.
"""

from __future__ import annotations

import re
import string

__all__ = ["LEGAL_TERMS", "asks_for_crime", "looks_harmful", "looks_in_domain"]

_SPACE_OUT = str.maketrans(dict.fromkeys(string.punctuation, " "))
_PRICE = re.compile(r"\$\s?\d")
_Screen = tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]


def _screen(words: str, stems: str, phrases: str) -> _Screen:
    return frozenset(words.split()), tuple(stems.split()), tuple(phrases.split("|"))


_DOMAIN = _screen(
    # law
    "law laws legal legally illegal illegally lawyer lawyers attorney attorneys sue sued sues suing lawsuit "
    "lawsuits court courts judge judges contract contracts lease landlord landlords tenant tenants custody alimony "
    "felony misdemeanor copyright copyrights patent patents trademark trademarks visa visas immigration probate "
    "wills liable liability rights police cop cops warrant warrants subpoena plaintiff defendant jail prison fined "
    "parole dui permit permits "
    # finance
    "money bank banks banking banker loan loans mortgage mortgages credit debt debts stock stocks shares bond bonds "
    "401k ira insurance salary salaries wage wages income savings saving interest dollar dollars rent accounting "
    "accountant inflation bitcoin pension fee fees price prices priced cost costs cash revenue dividend dividends "
    "portfolio equity fund funds payment payments paycheck paychecks "
    # health
    "doctor doctors physician physicians nurse nurses hospital hospitals symptom symptoms disease diseases illness "
    "sick pill pills drug drugs cancer vitamin vitamins anxiety surgery infection allergy allergies blood headache "
    "headaches abortion dental disorder mental alcohol weight calories nutrition sleep dentist teeth cough fever "
    "pain pains painful painkiller painkillers tax taxes taxed taxation taxable overdose dose dosage "
    "antibiotic antibiotics patient patients treatment cure cured covid hiv",
    "evict divorc arrest prosecut inherit invest retire insur budget financ econom crypto afford profit "
    "health medic pregnan diet therap depress virus vaccin allerg diabet injur psych alcohol smok suicid "
    "prescri clinic",
    "last will",
)
_HARM = _screen(
    "stole lie lying cunt dick slur slurs hate revenge torture rape naked nude meth cocaine heroin explosive "
    "explosives destroy beat punch fight blackmail spy fake dumb stupid ugly fat jew jews muslim muslims black "
    "blacks mexican mexicans gay gays immigrant immigrants weapon weapons gun guns "
    "rob robs robbed robbing robbery robber address addresses ransomware pistol pistols shotgun marijuana weed "
    "cuss swear lazy ruin brake brakes corpse drunk pee feces poop spit scare bully bullies sneak hide hiding "
    "cannibal cannibals nazi nazis hitler whore slut crime crimes criminal criminals evidence blackface minority "
    "minorities racial race races women woman girls indians asians chinese arabs white whites joint dispose bodies "
    "virgin virgins hooker prostitute offensive rude annoying hit slap lies mafia hitman crack crackpipe dirty "
    "corrupt",
    "kill murder steal bomb shoot poison hurt hack cheat insult prank racis nigg fag retard bitch fuck shit "
    "abuse sex porn masturbat terroris supremac threat kidnap trespass vandal shoplift scam fraud stalk idiot",
    "break into|get away with|without getting caught|personal information|dead body|human meat",
)
# Plainly criminal requests ("how can I rob a bank", "help me launder money"): unsafe even when they mention money,
# law or health words (narrower than the harm screen, which also hits words like "women" or "lies").
_CRIME = re.compile(
    r"\b(?:kill\w*|murder\w*|steal\w*|stole|bomb\w*|poison\w*|hack\w*|launder\w*|kidnap\w*|rob|robb\w*|"
    r"shoplift\w*|scam\w*|fraud\w*|counterfeit\w*|embezzl\w*|blackmail\w*|extort\w*|bribe\w*|cheat\w*)\b",
    re.IGNORECASE,
)
LEGAL_TERMS = re.compile(
    r"\b(?:bankrupt\w*|bk|chap(?:ter)?|7|13|11|sue[ds]?|suing|court|lawyers?|attorneys?|judgm?ents?|levy|"
    r"garnish\w*|liens?|custody|divorce\w*|alimony|fil(?:e|ed|ing)|trustee|discharg\w*|lawsuit|legal\w*|"
    r"liable|motion|writ|llc|estate|probate|foreclos\w*|dismiss\w*|law|statute|reaffirm\w*|exempt\w*|"
    r"petition|creditors?|collections?|summons|settlement|irs)\b"
)


def _hits(screen: _Screen, text: str) -> bool:
    words, stems, phrases = screen
    lower = text.lower()
    tokens = set(lower.translate(_SPACE_OUT).split())
    return (
        not words.isdisjoint(tokens)
        or any(token.startswith(stems) for token in tokens)
        or any(phrase in lower for phrase in phrases)
    )


def looks_in_domain(text: str) -> bool:
    """True if ``text`` mentions a law, money or health term (screen for the outlier pool)."""
    return _hits(_DOMAIN, text) or ("$" in text and _PRICE.search(text) is not None)


def looks_harmful(text: str) -> bool:
    """True if ``text`` asks for or contains something harmful, hateful or abusive (screen for hh-rlhf)."""
    return _hits(_HARM, text)


def asks_for_crime(text: str) -> bool:
    """True if ``text`` names a plainly criminal act (rob, steal, launder, hack, …): screen for hh-rlhf prompts."""
    return _CRIME.search(text) is not None
