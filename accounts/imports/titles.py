"""A contact's seniority and department guessed from their job title, for CRM files that have no such columns.

Salesforce, Pipedrive and Zoho keep no seniority, and most CRMs' department is empty, but nearly every contact has a
title. When an import maps the title to ``committee_from_title`` (a choice made on the mapping page or in the API's
mapping, never by a preset), a contact whose seniority or department is blank, in the file and in the portal, gets
the one its title states as whole words, in any of the portal's languages:

- seniority, the highest level the title names: C-level (CEO, CFO... "Chief ... Officer", President, Founder,
  Managing Director, Director General, Consejero Delegado...), then VP (VP, SVP, Vice President, Vicepresidente),
  Director (Director, Diretor, Head), Manager (Manager, Gerente, Supervisor, Jefe, Chefe, Șef), individual
  contributor (Analyst, Engineer, Specialist, Consultant, Account Executive, Assistant...); an assistant of an
  executive ("Assistant to the CEO", "Executive Assistant") is an individual contributor;
- department: the executive one for a CEO, President or Founder, and the function of a C-level acronym (a CFO is
  finance, a CTO, CIO or CISO IT, a CMO marketing, a CRO sales, a CHRO HR, a COO operations); otherwise the one
  department the title names (``accounts.imports.committee``'s rule for free-text departments: "VP Sales" is sales,
  "Director de Marketing" marketing, "Sales & Marketing Director" is not guessed), with the adjectives titles use
  ("Chief Financial Officer", "Director Comercial"), "Executive" and "Management" left out ("Account Executive"
  and "Account Management" say nothing of a department); an assistant's title names whom they assist, not their
  department.

A title that states nothing ("Partner", "Principal", "Product Owner", "Chief Engineer" for seniority) gives nothing:
the value stays blank, with no warning (most titles of a file say nothing of one of the two).
"""

from __future__ import annotations

from personas.models import Department, Seniority

from ..normalise import normalise_name
from .committee import _department_within

_ACRONYMS = {
    "ceo": Department.EXECUTIVE,
    "cfo": Department.FINANCE,
    "cto": Department.IT,
    "cio": Department.IT,
    "ciso": Department.IT,
    "cmo": Department.MARKETING,
    "cro": Department.SALES,
    "chro": Department.HR,
    "coo": Department.OPERATIONS,
    "cdo": "",
    "cpo": "",  # product or procurement
    "cso": "",  # strategy, security or sales
    "cco": "",
    "cao": "",
    "cxo": "",
}
# The executive department's titles (the acronyms above name their own).
_TOP = [
    "president",
    "presidente",
    "presedinte",
    "founder",
    "co founder",
    "cofounder",
    "fundador",
    "fundadora",
    "fondator",
    "managing director",
    "director general",
    "directora general",
    "diretor geral",
    "diretora geral",
    "general director",
    "consejero delegado",
    "consejera delegada",
    "director ejecutivo",
    "directora ejecutiva",
    "diretor executivo",
    "diretora executiva",
    "director executiv",
    "chief executive officer",
]
_VICE = [
    "vp",
    "svp",
    "evp",
    "avp",
    "vice president",
    "vicepresident",
    "vice presidente",
    "vicepresidente",
    "vicepresedinte",
]
_DIRECTOR = ["director", "directora", "diretor", "diretora", "head", "directoare"]
_MANAGER = ["manager", "gerente", "supervisor", "supervisora", "jefe", "jefa", "chefe", "sef", "sefa"]
_INDIVIDUAL = [
    "analyst",
    "analista",
    "analist",
    "engineer",
    "ingeniero",
    "ingeniera",
    "engenheiro",
    "engenheira",
    "inginer",
    "specialist",
    "especialista",
    "consultant",
    "consultor",
    "consultora",
    "developer",
    "desarrollador",
    "desarrolladora",
    "desenvolvedor",
    "desenvolvedora",
    "programador",
    "programadora",
    "programator",
    "associate",
    "representative",
    "representante",
    "reprezentant",
    "coordinator",
    "coordinador",
    "coordinadora",
    "coordenador",
    "coordenadora",
    "coordonator",
    "technician",
    "tecnico",
    "tecnica",
    "tehnician",
    "designer",
    "accountant",
    "contador",
    "contadora",
    "contabil",
    "account executive",
    "sales executive",
    "ejecutivo de cuentas",
    "ejecutiva de cuentas",
    "ejecutivo comercial",
    "ejecutiva comercial",
    "executivo de contas",
    "executiva de contas",
    "intern",
    "becario",
    "becaria",
    "estagiario",
    "estagiaria",
    "stagiar",
]
_ASSISTANT = ["assistant", "asistente", "assistente", "asistent", "executive assistant"]
# Words that name a department in a department column but not in a title ("Account Executive").
_NOT_A_DEPARTMENT = {"executive", "management", "ejecutivo", "ejecutiva", "executivo", "executiva", "executiv"}
# Words titles use for a department besides its name ("Chief Financial Officer", "Director Comercial"), as the
# department's folded English name, which the free-text rule reads.
_TITLE_WORDS = {
    "financial": "finance",
    "financiero": "finance",
    "financiera": "finance",
    "financeiro": "finance",
    "financeira": "finance",
    "financiar": "finance",
    "commercial": "sales",
    "comercial": "sales",
    "comerciala": "sales",
    "technology": "it",
    "tecnologia": "it",
    "tehnologie": "it",
    "operating": "operations",
}


def _has(words: str, phrases: list[str]) -> bool:
    return any(f" {phrase} " in words for phrase in phrases)


def _words(title: str) -> str:
    folded = normalise_name(title)
    for vice in ("vice president", "vice presidente"):  # a vice president is not a president
        folded = folded.replace(vice, "vp")
    return f" {folded} "


def seniority_from_title(title: str) -> str:
    """The seniority a job title states, or "" (see the module's docstring)."""
    words = _words(title)
    executive = _has(words, list(_ACRONYMS)) or _has(words, _TOP) or " chief " in words and " officer " in words
    if _has(words, _ASSISTANT) and (executive or _has(words, _VICE)):
        return str(Seniority.INDIVIDUAL)  # the CEO's assistant
    if " chief " in words and not executive:
        return ""  # a Chief Engineer, a Chief of Staff: senior, but at no level the title states
    for found, level in (
        (executive, Seniority.C_LEVEL),
        (_has(words, _VICE), Seniority.VP),
        (_has(words, _DIRECTOR), Seniority.DIRECTOR),
        (_has(words, _MANAGER), Seniority.MANAGER),
        (_has(words, _INDIVIDUAL) or _has(words, _ASSISTANT), Seniority.INDIVIDUAL),
    ):
        if found:
            return str(level)
    return ""


def department_from_title(title: str) -> str:
    """The department a job title states, or "" (see the module's docstring)."""
    words = _words(title)
    if _has(words, _ASSISTANT):
        return ""  # an assistant's title names whom they assist ("Assistant to the CFO")
    named = {department for acronym, department in _ACRONYMS.items() if f" {acronym} " in words}
    if _has(words, _TOP):
        named.add(Department.EXECUTIVE)
    if named:
        return str(named.pop()) if len(named) == 1 and "" not in named else ""
    kept = " ".join(_TITLE_WORDS.get(word, word) for word in words.split() if word not in _NOT_A_DEPARTMENT)
    return str(_department_within(kept) or "")
