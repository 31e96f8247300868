# deploy/smoke-test's stand-in for python:3.11-slim-bookworm, where no image registry is
# reachable: Debian's Python on a debootstrapped bookworm, with python and pip where the
# official image has them, and pip fed from a wheelhouse made on the host.
FROM portail-smoke-rootfs:bookworm
LABEL org.portail-famille.smoke-stand-in="true"
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8
RUN python3 -m venv /usr/local
COPY wheels /wheels
RUN printf '[global]\nno-index = true\nfind-links = /wheels\n' > /etc/pip.conf
CMD ["python3"]
