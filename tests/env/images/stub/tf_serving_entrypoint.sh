#!/bin/bash
# As in the tensorflow/serving image, plus exec so the server is PID 1 and
# gets `docker stop`'s SIGTERM. Unquoted like the original.
# shellcheck disable=SC2086
exec tensorflow_model_server --port=8500 --rest_api_port=8501 \
  --model_name=${MODEL_NAME} --model_base_path=${MODEL_BASE_PATH}/${MODEL_NAME} \
  "$@"
