"""Stipends (第十三条, 第十四条): pay policies, bonuses, pay runs and lines, and paid state (R-40…R-44), by
topic in the modules of this package; every model is importable from ``payroll.models``."""

from payroll.models.policy import (
    DEFAULT_SOURCES,
    MONEY,
    AccidentMode,
    Component,
    FundingSource,
    PayAdjustment,
    PayPolicy,
    PayrollSetting,
    PerformanceBonus,
)
from payroll.models.runs import InsurancePremium, LinePayment, PayeeAccount, PayLine, PayRun

__all__ = [
    "FundingSource",
    "Component",
    "PayPolicy",
    "AccidentMode",
    "PayrollSetting",
    "PerformanceBonus",
    "PayAdjustment",
    "MONEY",
    "DEFAULT_SOURCES",
    "PayRun",
    "PayLine",
    "LinePayment",
    "PayeeAccount",
    "InsurancePremium",
]
