"""gunicorn for one web machine: `gunicorn -c deploy/gunicorn.conf.py baijia.wsgi` (deploy/systemd/baijia-web.service).
Every value can be changed from the environment without editing this file."""

import multiprocessing
import os

# nginx reaches the web machines over the private network: bind to that address (or 0.0.0.0 behind a
# firewall); 127.0.0.1 when nginx runs on the same machine.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# A request is CPU-bound in Python (bench enrolment: 3.3 ms of gunicorn CPU against 1.7 ms in PostgreSQL),
# so one sync worker per CPU, plus one to use the CPU while another waits for the database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "sync"
# nginx buffers requests and responses, so a slow phone never holds a sync worker; a request that still
# takes this long is stuck, and its worker is replaced. nginx's proxy_read_timeout is a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Each worker is replaced after about this many requests (jitter: not all at once), which bounds any slow
# growth in memory; with preload the new one forks from the master in milliseconds.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Load Django, Wagtail and every URLconf once in the master (baijia/wsgi.py then freezes them out of the
# garbage collector) and fork: workers share those pages, and start at once. New code needs a restart
# (systemctl restart), not a HUP.
preload_app = True
# The workers' heartbeat files on tmpfs, so a slow disk never makes a healthy worker look stuck (gunicorn
# creates them there with mkstemp).
worker_tmp_dir = "/dev/shm"  # noqa: S108
# X-Forwarded-Proto and -For are trusted from these addresses only (the nginx machines).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The request time in microseconds (%(D)s) in the access log, for the p95 seen from the server.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
proc_name = "baijia-web"
