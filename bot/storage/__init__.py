"""Storage: SQLAlchemy models, the repository, Alembic migrations.

``staff_models`` and ``opening_models`` are imported here so that their tables are always part
of ``Base.metadata`` (``leads.assigned_officer_id`` refers to ``staff_accounts``), whichever
module is imported first.
"""

from bot.storage import opening_models as opening_models
from bot.storage import staff_models as staff_models
