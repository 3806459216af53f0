# Routix bots: one image for every entry point (routix telegram | discord | worker | chat | generate).
FROM python:3.11-slim

# Fonts covering Latin and Persian, and fribidi/raqm for right-to-left shaping in Pillow.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core fonts-noto-core fonts-farsiweb libfribidi0 libraqm0 \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 routix
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bots ./bots
COPY core ./core
COPY providers ./providers
COPY storage ./storage
RUN pip install --no-cache-dir . && mkdir -p /data && chown routix:routix /data

USER routix
ENV ROUTIX_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
VOLUME ["/data"]
ENTRYPOINT ["routix"]
CMD ["telegram"]
