"""The Slack adapter: a Bolt app over bot.engine.Engine (the same engine the CLI uses).

`create_app(settings, engine)` builds the app; `bot.slack.server` runs it over HTTP or Socket Mode."""
