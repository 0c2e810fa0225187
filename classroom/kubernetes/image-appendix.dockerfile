# Appended to the Dockerfile jupyter-repo2docker writes (--appendix), after binder/postBuild.
# postBuild fetched and checked the course data into the build user's cache, under /home/jovyan;
# on the hub a volume of the learner's own is mounted over /home/jovyan, which would hide it.
# So the data is copied where no volume covers it, and the kernels are told (COURSE_DATA_DIR,
# also set in values.yaml). The build fails here if anything is missing.
USER root
RUN install -d -o ${NB_USER} -g ${NB_USER} /srv/course-data
USER ${NB_USER}
RUN cp -a "$(python -c 'from course import config; print(config.data_dir())')/." /srv/course-data/
ENV COURSE_DATA_DIR=/srv/course-data
RUN course doctor --no-tf
