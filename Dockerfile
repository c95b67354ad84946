# AOAI Lab as a container: one classroom server (docs/classroom.md).
#   docker build -t aoai-lab .
#   docker run -p 8501:8501 --env-file class.env aoai-lab
# Configuration comes from the environment (AZURE_OPENAI_* for the shared connection,
# AOAI_LAB_CLASSROOM_* for classroom mode) or from a secrets.toml mounted at
# /app/.streamlit/secrets.toml; nothing secret is baked into the image (.dockerignore).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY requirements.txt .
RUN python -m pip install -r requirements.txt

COPY app.py ./
COPY aoai_lab ./aoai_lab
COPY pages ./pages
COPY .streamlit/config.toml ./.streamlit/config.toml

# Not root: the app only reads its files.
RUN useradd --create-home --uid 10001 aoai
USER aoai

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
CMD ["python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
