"""Every kind of workbook the platform imports and exports, by the name the command line and the UI use.

An explicit list, so a reader sees at once what `jinguo import_xlsx KIND` accepts.
"""

from jinguo.articles.importers import ArticleImport
from jinguo.core.excel import ImportSpec
from jinguo.grassroots.importers import OrgProfileImport
from jinguo.ledger.importers import ActivityImport
from jinguo.monitoring.importers import IndicatorValueImport
from jinguo.orgs.importers import OrgUnitImport
from jinguo.people.importers import BeneficiaryImport, HonourImport, LoanImport, TalentImport, VolunteerImport
from jinguo.petitions.importers import PetitionImport

IMPORT_SPECS: dict[str, type[ImportSpec]] = {
    spec.kind: spec
    for spec in [
        OrgUnitImport,
        ActivityImport,
        PetitionImport,
        BeneficiaryImport,
        TalentImport,
        VolunteerImport,
        HonourImport,
        LoanImport,
        IndicatorValueImport,
        OrgProfileImport,
        ArticleImport,
    ]
}


def get_spec(kind: str) -> ImportSpec:
    try:
        return IMPORT_SPECS[kind]()
    except KeyError:
        raise KeyError(kind) from None
