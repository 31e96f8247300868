# Read by gunicorn from the directory it starts in (/app in the image, the repository when
# run by hand or by bench/): the access log hides the secrets in links (portail/access_log.py).
logger_class = "portail.access_log.AccessLogger"
