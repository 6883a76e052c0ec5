"""The engine knows no channel and no storage: it imports neither telegram, aiohttp nor
SQLAlchemy (nor anything of ours that does)."""

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "bot" / "engine"
FORBIDDEN = ("telegram", "aiohttp", "sqlalchemy", "bot.storage", "bot.channels", "bot.conversation")


def test_engine_imports_no_channel_and_no_storage() -> None:
    for path in ENGINE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
