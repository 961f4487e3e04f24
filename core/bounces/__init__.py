"""Bounces that arrive later: delivery-status notifications read from the
bounce mailbox (core.cron.BounceJob) and recorded on the attempts they name."""
