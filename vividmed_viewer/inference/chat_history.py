"""Chat conversations kept per image, keyed by the image's source path (Qt-free)."""

from __future__ import annotations

from pathlib import Path

from vividmed_viewer.core.conversation import Conversation


def image_key(source: str | Path) -> str:
    """The key of an image: its absolute path when it is one, else the text (a series key)."""
    text = str(source)
    if not text:
        return ""
    path = Path(text)
    return str(path.resolve()) if path.exists() else text


class ChatHistory:
    """One :class:`Conversation` per image; cleared on request."""

    def __init__(self) -> None:
        self._conversations: dict[str, Conversation] = {}

    def conversation_for(self, source: str | Path) -> Conversation:
        """The conversation about ``source`` (created empty the first time)."""
        key = image_key(source)
        if key not in self._conversations:
            self._conversations[key] = Conversation(image_reference=key)
        return self._conversations[key]

    def has(self, source: str | Path) -> bool:
        return image_key(source) in self._conversations

    def clear(self, source: str | Path) -> None:
        """Forget what was asked and answered about one image."""
        conversation = self._conversations.get(image_key(source))
        if conversation is not None:
            conversation.clear()

    @property
    def keys(self) -> list[str]:
        return list(self._conversations)
