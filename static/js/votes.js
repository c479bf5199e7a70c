/* Community votes, in place.
 *
 * Pages are the same HTML for every reader, so this script asks the vote
 * endpoint for what is personal: the reader's own vote and the CSRF token.
 * A vote is then posted with fetch, the community figure is updated
 * wherever the tool is shown, and the form's role="status" region says
 * "Vote recorded". Without JavaScript the same buttons submit the form to a
 * confirmation page, so nothing here is needed to vote.
 */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form.vote-form[data-vote-url]");
  if (!forms.length || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var csrfToken = null;

  function capitalise(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  function failure(status) {
    if (status === 403) {
      return "Your vote could not be sent. Reload the page and try again.";
    }
    if (status === 429) {
      return "Too many votes from your network. Please try again in a few minutes.";
    }
    return "Your vote could not be sent. Please try again.";
  }

  function call(form, options) {
    options.credentials = "same-origin";
    options.cache = "no-store";
    options.headers = options.headers || {};
    options.headers.Accept = "application/json";
    return fetch(form.dataset.voteUrl, options).then(
      function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (body) {
            if (!response.ok) {
              throw new Error(body.error || failure(response.status));
            }
            return body;
          });
      },
      function () {
        throw new Error(failure(0));
      }
    );
  }

  function announce(form, text) {
    var status = form.querySelector("[data-vote-status]");
    // Clear first, so the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
    }, 50);
  }

  function show(form, state) {
    csrfToken = state.csrf_token || csrfToken;
    form.dataset.vote = state.vote;
    form.querySelectorAll("button[name=verdict]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.value === state.vote));
    });
    var mine = form.querySelector("[data-vote-mine]");
    mine.textContent =
      state.vote === "none"
        ? ""
        : "You vote " + state.vote + ". Press " + capitalise(state.vote) +
          " again to withdraw your vote.";
    var selector = '[data-community-figure="' + form.dataset.toolSlug + '"]';
    document.querySelectorAll(selector).forEach(function (figure) {
      figure.querySelector("[data-community-label]").textContent =
        state.community.label;
      figure.querySelector("[data-community-counts]").textContent =
        state.community.counts;
    });
  }

  function load(form) {
    form.voteState = call(form, { method: "GET" }).then(function (state) {
      show(form, state);
      return state;
    });
    return form.voteState;
  }

  function cast(form, button) {
    var verdict = button.getAttribute("aria-pressed") === "true" ? "none" : button.value;
    form.setAttribute("aria-busy", "true");
    var ready = form.voteState || load(form);
    return ready
      .catch(function () {
        return load(form);
      })
      .then(function () {
        return call(form, {
          method: "POST",
          headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": csrfToken,
          },
          body: new URLSearchParams({ verdict: verdict }).toString(),
        });
      })
      .then(function (state) {
        show(form, state);
        announce(form, state.message);
      })
      .catch(function (error) {
        announce(form, error.message);
      })
      .then(function () {
        form.removeAttribute("aria-busy");
      });
  }

  forms.forEach(function (form) {
    load(form).catch(function () {
      /* The buttons still work: a click tries again. */
    });
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "verdict") {
        return; // An older browser: let the form go to the confirmation page.
      }
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") {
        return;
      }
      cast(form, button);
    });
  });
})();
