from common import *
import json
X,y=load_digits()
def split(seed):
    rng=np.random.default_rng(seed); p=rng.permutation(len(X)); nte=len(X)//3; return p[nte:],p[:nte]
def feats(tr,te,cfg):
    if cfg is None: return X[tr]/16,X[te]/16
    c=dict(mode='pcaw',r=None,eps=0.1,m=512,alpha=0.5,enc='split',init='samples',steps=0,zeta=0.1); c.update(cfg)
    rng=np.random.default_rng(0)
    p=Prep(c['mode'],r=c['r'],eps=c['eps'],maxval=16.).fit(X[tr]); Ya=p(X[tr]); Yb=p(X[te])
    W=init_samples(Ya,c['m'],rng) if c['init']=='samples' else unitcols(rng.standard_normal((Ya.shape[1],c['m'])).astype(np.float32))
    b=np.zeros(c['m'],np.float32)
    if c['steps']: W=train_tied(Ya,W,b,c['steps'],c['zeta'],None,'relu',None,rng)
    return encode(Ya,W,b,'relu',c['alpha'],None,split=c['enc']=='split'),encode(Yb,W,b,'relu',c['alpha'],None,split=c['enc']=='split')
def evalcfg(cfg,lam,scale='std'):
    accs=[]
    for s in range(5):
        tr,te=split(s); a,b=feats(tr,te,cfg); a,b=scalef(a,b,scale); accs.append(fastlr(a,y[tr],b,y[te],lam,500)[0])
    return accs
if __name__=='__main__':
    for line in sys.argv[1:]:
        cfg,lam=eval(line); accs=evalcfg(cfg,lam)
        d=dict(cfg=str(cfg),lam=lam,accs=accs,mean=float(np.mean(accs))); print(json.dumps(d),flush=True); open('digits.jsonl','a').write(json.dumps(d)+'\n')
