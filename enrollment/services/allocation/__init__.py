"""Fair allocation: applications during a window, the lottery run and its publication.

The lottery itself (`allocate`) is a pure function of its inputs and the seed: it never reads
the database nor the global RNG, so the same inputs and seed always give the same decisions.
See docs/adr/0007-fair-allocation-lottery.md.

Modules, imported one way (`applications` and `lottery` import no sibling; `run` imports
`lottery`; `publishing` imports `run`):
- `applications`: submit, change and withdraw an application while the window is open;
- `lottery`: what the lottery draws and `allocate`, the pure function;
- `run`: load the inputs, run the lottery and record the dry run with its decisions;
- `publishing`: turn a dry run into enrollments and one message per household.
"""

from .applications import application_change, application_submit, application_withdraw
from .lottery import Decision, Member, Seat, Tier, Unit, allocate
from .publishing import allocation_publish
from .run import (
    DECISION_BATCH,
    DEFAULT_TIERS,
    allocation_inputs,
    allocation_run,
    allocation_tiers,
    allocation_windows_close,
    decision_explained,
)

__all__ = [
    "DECISION_BATCH",
    "DEFAULT_TIERS",
    "Decision",
    "Member",
    "Seat",
    "Tier",
    "Unit",
    "allocate",
    "allocation_inputs",
    "allocation_publish",
    "allocation_run",
    "allocation_tiers",
    "allocation_windows_close",
    "application_change",
    "application_submit",
    "application_withdraw",
    "decision_explained",
]
