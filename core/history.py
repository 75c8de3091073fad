"""simple-history's ``HistoricalRecords`` for models declared in a ``models`` package split by topic."""

from simple_history import models as simple_history


class HistoricalRecords(simple_history.HistoricalRecords):
    """Puts the historical model in the app's ``models`` package (``supervision.models.HistoricalTalk``), as
    for a model declared in a one-file ``models.py``, not in the topic module that declares the tracked model
    (where simple-history would set the model's module to the bare app name, which imports nothing)."""

    def contribute_to_class(self, cls, name):
        super().contribute_to_class(cls, name)
        self.module = f"{cls._meta.app_label}.models"
