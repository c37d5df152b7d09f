#!/bin/bash

# As in the tensorflow/serving image (tensorflow_serving/tools/docker/Dockerfile):
# bash stays PID 1 and runs the server as its child, without exec, so a
# `docker stop`'s SIGTERM reaches bash, which as PID 1 ignores it.
# Unquoted like the original.
# shellcheck disable=SC2086
tensorflow_model_server --port=8500 --rest_api_port=8501 \
--model_name=${MODEL_NAME} --model_base_path=${MODEL_BASE_PATH}/${MODEL_NAME} \
"$@"
