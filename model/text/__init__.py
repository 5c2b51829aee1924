"""Tokens, prompt layout, labels and the training collator of the language side."""

from model.text.prompt import ChatTurn, EncodedPrompt, encode_conversation, strip_tags
from model.text.sample import (
    EncodedSample,
    PhraseTarget,
    TrainingSample,
    VividMedCollator,
    encode_sample,
)
from model.text.special_tokens import (
    IGNORE_INDEX,
    IMAGE_PLACEHOLDER_ID,
    SPECIAL_TOKENS,
    TokenIds,
    add_vividmed_tokens,
)
from model.text.tokenizer_loading import load_tokenizer, tokenizer_directory

__all__ = [
    "IGNORE_INDEX",
    "IMAGE_PLACEHOLDER_ID",
    "SPECIAL_TOKENS",
    "ChatTurn",
    "EncodedPrompt",
    "EncodedSample",
    "PhraseTarget",
    "TokenIds",
    "TrainingSample",
    "VividMedCollator",
    "add_vividmed_tokens",
    "encode_conversation",
    "encode_sample",
    "load_tokenizer",
    "strip_tags",
    "tokenizer_directory",
]
