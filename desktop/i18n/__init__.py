"""The desktop's languages: English source strings in the code (tr()), Vietnamese from
hotline_vi.qm (compiled from hotline_vi.ts). Vietnamese is the default."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTranslator, Signal

if TYPE_CHECKING:
    # PySide6's stub says `-> object`, but QT_TRANSLATE_NOOP hands back `message` unchanged
    # (it only marks the text for pyside6-lupdate); this is its real signature for mypy.
    def QT_TRANSLATE_NOOP(context: str, message: str, /) -> str: ...
else:
    from PySide6.QtCore import QT_TRANSLATE_NOOP as QT_TRANSLATE_NOOP  # re-exported

log = logging.getLogger(__name__)

DIRECTORY = Path(__file__).resolve().parent
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


class Translations(QObject):
    """Which language the application speaks; switching it retranslates every open window
    (Qt sends each widget a LanguageChange event).

    Attributes:
        language: "vi" or "en".

    Signals:
        language_changed(str): the language now in effect.
    """

    language_changed = Signal(str)

    def __init__(self, app: QCoreApplication, directory: Path = DIRECTORY) -> None:
        super().__init__(app)
        self._app, self._directory = app, directory
        self._translator: QTranslator | None = None
        self.language = "en"

    def apply(self, language: str) -> bool:
        """Switch to `language`; False (and English) when its translation cannot be loaded."""
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        loaded = True
        if language != "en":
            translator = QTranslator(self)
            loaded = translator.load(f"hotline_{language}", str(self._directory))
            if loaded:
                self._app.installTranslator(translator)
                self._translator = translator
            else:
                log.warning("no translation hotline_%s.qm in %s", language, self._directory)
                language = "en"
        changed, self.language = language != self.language, language
        # Qt posts LanguageChange to every widget; deliver them now, so the whole window
        # speaks the new language by the time this returns.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        if changed:
            self.language_changed.emit(language)
        return loaded
