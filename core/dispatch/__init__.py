"""The dispatch engine: plan due runs, claim attempts, send them over SMTP and
record every outcome. One module per concept:

- `config`     — the tunables, read from settings once per dispatcher;
- `planning`   — due mailings → the pending attempts of their run;
- `claiming`   — a batch of due attempts reserved with a lease;
- `rendering`  — a message built once per run, specialised per recipient;
- `outcomes`   — what an SMTP reply or error means, by the step it answered;
- `transport`  — one reused SMTP connection (or Django's backend);
- `sending`    — a claimed batch sent and its results written back;
- `engine`     — the loop of small steps that cron and the command drive;
- `statistics` — the rollups the report pages read.
"""
