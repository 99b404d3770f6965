// The hall's voice: a chime (WebAudio), then the announcement with speechSynthesis in zh-CN,
// repeated N times; the next announcement starts only after the previous one ended.
// `voice.queue` holds what is still to be said, `voice.history` everything ever queued
// (tests read both through window.hallqVoice).

const SAFETY_MS = 20000; // some engines never fire 'end': do not block the queue forever

export class VoiceQueue {
  constructor({ repeat = 2, lang = "zh-CN", chime = true, rate = 0.9 } = {}) {
    this.repeat = repeat;
    this.lang = lang;
    this.chime = chime;
    this.rate = rate;
    this.queue = [];
    this.history = [];
    this.speaking = false;
    this.audio = null;
  }

  say(text) {
    this.queue.push(text);
    this.history.push(text);
    if (!this.speaking) this.next();
  }

  async next() {
    const text = this.queue.shift();
    if (text === undefined) {
      this.speaking = false;
      return;
    }
    this.speaking = true;
    try {
      if (this.chime) await this.playChime();
      for (let i = 0; i < this.repeat; i++) await this.speak(text);
    } finally {
      this.next();
    }
  }

  speak(text) {
    return new Promise((resolve) => {
      const synth = window.speechSynthesis;
      if (!synth || typeof SpeechSynthesisUtterance === "undefined") return resolve();
      const u = new SpeechSynthesisUtterance(text);
      u.lang = this.lang;
      u.rate = this.rate;
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          resolve();
        }
      };
      u.onend = finish;
      u.onerror = finish;
      setTimeout(finish, SAFETY_MS);
      synth.speak(u);
    });
  }

  playChime() {
    return new Promise((resolve) => {
      try {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return resolve();
        this.audio = this.audio || new Ctx();
        const ctx = this.audio;
        if (ctx.state === "suspended") ctx.resume();
        const start = ctx.currentTime + 0.05;
        // 叮咚: two soft tones.
        [
          [880, 0],
          [660, 0.35],
        ].forEach(([freq, offset]) => {
          const osc = ctx.createOscillator();
          const gain = ctx.createGain();
          osc.frequency.value = freq;
          gain.gain.setValueAtTime(0.0001, start + offset);
          gain.gain.exponentialRampToValueAtTime(0.4, start + offset + 0.02);
          gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.6);
          osc.connect(gain).connect(ctx.destination);
          osc.start(start + offset);
          osc.stop(start + offset + 0.65);
        });
        setTimeout(resolve, 1000);
      } catch {
        resolve();
      }
    });
  }
}
