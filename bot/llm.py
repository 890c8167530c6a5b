"""The optional language model, through langchain's `init_chat_model`.

PIA_LLM names the model as `provider:model` (`openai:gpt-4.1-mini` against any OpenAI-compatible server given by
PIA_LLM_BASE_URL, `ollama:qwen2.5`, ...). The model only writes from numbered sources it is given; its output is
checked here before anything uses it:
- an answer must tie every sentence to a numbered source `[n]`: sentences without a marker, or citing a source that
  does not exist, are dropped (validate_cited);
- a review finding may only list measures copied from the draft: lines that are not verbatim draft text are dropped.
Callers fall back to the extractive result when nothing valid remains, the model errors or times out.
Prompts are files in prompts/.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError
from bot.models import Citation
from bot.resources import prompt
from bot.settings import Settings
from bot.text import compact, normalize

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
# Sentence ends: 。！？ and line breaks; a closing bracket or quote right after the stop stays with its sentence.
_SENTENCE_RE = re.compile(r"[^。！？!?\n]*(?:[。！？!?][」』）)]*(?:[ \t]*\[\d{1,3}\])*[ \t]*\n?|\n|$)")


class LLMError(Exception):
    """The model could not be called or gave nothing usable (the caller falls back)."""


@dataclass
class ChatLLM:
    """A chat model plus the name it goes by in answers ("provider:model")."""

    model: BaseChatModel
    name: str

    def complete(self, system: str, user: str) -> str:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            reply = self.model.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except Exception as e:  # network errors, timeouts, provider errors: all mean "fall back"
            raise LLMError(f"{type(e).__name__}: {e}") from e
        return _content_text(reply.content)

    def stream(self, system: str, user: str) -> Iterator[str]:
        """The reply as it is generated, piece by piece (providers without streaming give it in one piece)."""
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            for chunk in self.model.stream([SystemMessage(content=system), HumanMessage(content=user)]):
                piece = _content_text(chunk.content)
                if piece:
                    yield piece
        except Exception as e:  # the same as complete(): the caller falls back
            raise LLMError(f"{type(e).__name__}: {e}") from e


def _content_text(content) -> str:
    if isinstance(content, list):  # some providers return content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def llm_name(spec: str) -> str:
    spec = spec.strip()
    return spec if ":" in spec else f"openai:{spec}"


def build_chat_model(settings: Settings):
    """The langchain chat model named by PIA_LLM (init_chat_model), or ConfigurationError."""
    from langchain.chat_models import init_chat_model

    spec = llm_name(settings.pia_llm or "")
    provider, _, model = spec.partition(":")
    kwargs: dict = {"temperature": 0}
    if settings.pia_llm_base_url:
        kwargs["base_url"] = settings.pia_llm_base_url
    if provider == "openai":
        # an OpenAI-compatible local server needs no real key, but the client insists on one
        kwargs["api_key"] = settings.pia_llm_api_key or "not-needed"
        kwargs["timeout"] = settings.pia_llm_timeout
        kwargs["max_retries"] = 0
    elif settings.pia_llm_api_key:
        kwargs["api_key"] = settings.pia_llm_api_key
    try:
        return init_chat_model(model, model_provider=provider, **kwargs)
    except ImportError as e:
        raise ConfigurationError(
            f"PIA_LLM={spec} のプロバイダ用パッケージがインストールされていません",
            hint=f"pip install langchain-{provider} を実行するか、PIA_LLM を外してください",
        ) from e
    except Exception as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise ConfigurationError(f"PIA_LLM={spec} のモデルを初期化できませんでした: {first}",
                                 hint="PIA_LLM の書式（provider:model）と PIA_LLM_BASE_URL を確認してください") from e


@lru_cache(maxsize=4)
def _cached_llm(spec: str, base_url: str | None, api_key: str | None, timeout: float) -> ChatLLM:
    s = Settings(pia_llm=spec, pia_llm_base_url=base_url, pia_llm_api_key=api_key, pia_llm_timeout=timeout)
    return ChatLLM(build_chat_model(s), llm_name(spec))


def get_llm(settings: Settings) -> ChatLLM | None:
    """The configured model, built once per configuration; None when PIA_LLM is not set."""
    if not settings.pia_llm:
        return None
    return _cached_llm(settings.pia_llm, settings.pia_llm_base_url, settings.pia_llm_api_key, settings.pia_llm_timeout)


# --------------------------------------------------------------------------- answers: numbered sources, validation


def format_sources(citations: list[Citation], label) -> str:
    """Numbered sources for the prompt: `[n] (label) text`."""
    lines = []
    for i, c in enumerate(citations, 1):
        lines.append(f"[{i}] （{label(c)}）\n{c.text.strip()}")
    return "\n\n".join(lines)


@dataclass
class CitedText:
    kept: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.kept).strip()


def split_sentences(text: str) -> list[str]:
    return [s for s in (m.group(0) for m in _SENTENCE_RE.finditer(text)) if s.strip()]


def _accept(result: CitedText, raw: str, n_sources: int) -> str:
    """Validate one sentence into `result`; returns the text it adds to the kept answer ("" when dropped)."""
    sentence = raw.strip()
    if not sentence:
        return ""
    markers = [int(m) for m in _MARKER_RE.findall(sentence)]
    newline = "\n" if raw.endswith("\n") else ""
    if markers and all(1 <= m <= n_sources for m in markers):
        result.kept.append(sentence + newline)
        return sentence + newline
    result.dropped.append(sentence)
    if newline and result.kept and not result.kept[-1].endswith("\n"):
        result.kept[-1] += newline
        return newline
    return ""


def validate_cited(text: str, n_sources: int) -> CitedText:
    """Keep the sentences that cite at least one source and only sources 1..n_sources."""
    result = CitedText()
    for raw in split_sentences(text or ""):
        _accept(result, raw, n_sources)
    return result


# After a sentence's stop, its closing brackets, markers and spaces are taken greedily; what follows can still
# belong to it only while it is the beginning of a marker ("[", "[1", "[12").
_PARTIAL_MARKER = re.compile(r"\[\d{0,3}")


class CitedStream:
    """validate_cited() on text that arrives piece by piece: each sentence is judged as soon as it is complete
    (a sentence is complete once a character follows that cannot belong to it), and what it adds to the answer
    goes to `emit` at once. Fed the same text, `finish()` returns exactly what validate_cited() returns, and the
    emitted pieces join to its kept text: nothing reaches the user that the final check would drop."""

    def __init__(self, n_sources: int, emit: Callable[[str], None]):
        self.n_sources = n_sources
        self.emit = emit
        self.buffer = ""
        self.result = CitedText()

    def _take(self, raw: str) -> None:
        added = _accept(self.result, raw, self.n_sources)
        if added:
            self.emit(added)

    def feed(self, piece: str) -> None:
        self.buffer += piece
        while self.buffer:
            m = _SENTENCE_RE.match(self.buffer)
            if m is None or not m.group(0):
                return
            raw, rest = m.group(0), self.buffer[m.end():]
            if not raw.endswith("\n") and (not rest or _PARTIAL_MARKER.fullmatch(rest)):
                return  # the sentence may still grow (more text, a marker, a line break)
            self._take(raw)
            self.buffer = rest

    def finish(self) -> CitedText:
        for raw in split_sentences(self.buffer):
            self._take(raw)
        self.buffer = ""
        return self.result


def cited_numbers(text: str) -> list[int]:
    seen: list[int] = []
    for m in _MARKER_RE.findall(text):
        if int(m) not in seen:
            seen.append(int(m))
    return seen


def write_answer(llm: ChatLLM, question: str, citations: list[Citation], label,
                 on_text: Callable[[str], None] | None = None) -> CitedText:
    """Ask the model to answer from the numbered citations; return its validated sentences (may be empty).

    With `on_text`, the reply is streamed and each validated sentence goes to `on_text` as soon as it is complete
    (an adapter shows it while the model is still writing)."""
    system = prompt("answer_system.md").format(count=len(citations))
    user = prompt("answer_user.md").format(question=question.strip(), sources=format_sources(citations, label))
    if on_text is None:
        return validate_cited(llm.complete(system, user), len(citations))
    stream = CitedStream(len(citations), on_text)
    for piece in llm.stream(system, user):
        stream.feed(piece)
    return stream.finish()


# --------------------------------------------------------------------------- review findings: verbatim measures


def select_measures(llm: ChatLLM, checkpoint: str, clauses: list[str], draft_text: str, limit: int) -> list[str]:
    """Ask the model to pick the measures of a finding among the draft's clauses; keep only verbatim draft text.

    Each returned line must be a substring of the normalised draft (a trimmed clause is fine, a rewritten one is not).
    """
    if not clauses:
        return []
    numbered = "\n".join(f"[{i}] {c}" for i, c in enumerate(clauses, 1))
    system = prompt("review_system.md").format(count=len(clauses), limit=limit)
    user = prompt("review_user.md").format(checkpoint=checkpoint, sources=numbered)
    raw = llm.complete(system, user)
    haystack = compact(draft_text)
    out: list[str] = []
    for line in raw.splitlines():
        line = _MARKER_RE.sub("", line).strip(" ・-　\t「」")
        line = normalize(line).rstrip("。").strip()
        if len(line) >= 6 and compact(line) in haystack and line not in out:
            out.append(line)
        if len(out) >= limit:
            break
    return out
