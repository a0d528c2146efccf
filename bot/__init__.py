"""improvement-bot: a Slack bot that runs a council improvement plan between board meetings."""
