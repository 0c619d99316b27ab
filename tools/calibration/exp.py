from common import *
import json
Xtr,ytr,Xte,yte=load()
def run(N=20000,mode='pcaw',r=200,eps=0.1,rownorm=False,init='samples',m=1024,steps=0,zeta=0.1,bs=None,tact='relu',tk=None,
        enc='split',alpha=0.5,k=None,scale='std',lam=1e-4,seed=0,max_iter=200,tag=''):
    rng=np.random.default_rng(seed); sub=rng.choice(60000,N,replace=False) if N<60000 else np.arange(60000)
    A=Xtr[sub]; t0=time.time()
    p=Prep(mode,r=r,eps=eps,rownorm=rownorm,maxval=255.).fit(A); Ya=p(A); Yb=p(Xte)
    if init=='samples': W=init_samples(Ya,m,rng)
    elif init=='kpp': W=init_kmeanspp(Ya,m,rng)
    elif init.startswith('skm'): W=spherical_kmeans(Ya,init_samples(Ya,m,rng),iters=int(init[3:]))
    elif init=='gauss': W=unitcols(rng.standard_normal((Ya.shape[1],m)).astype(np.float32))
    b=np.zeros(m,np.float32)
    if steps: W=train_tied(Ya,W,b,steps,zeta,bs,tact,tk,rng)
    tfit=time.time()-t0
    if enc=='omp': raise NotImplementedError
    Fa=encode(Ya,W,b,'relu' if enc!='topk' else 'topk',alpha,k,split=(enc=='split')); Fb=encode(Yb,W,b,'relu' if enc!='topk' else 'topk',alpha,k,split=(enc=='split'))
    a,bb=scalef(Fa,Fb,scale); res=fastlr(a,ytr[sub],bb,yte,lam,max_iter)
    d=dict(N=N,mode=mode,r=r,eps=eps,rownorm=rownorm,init=init,m=m,steps=steps,zeta=zeta,bs=bs,tact=tact,tk=tk,enc=enc,alpha=alpha,k=k,scale=scale,lam=lam,outlen=Fa.shape[1],test=res[0],train=res[1],lrsec=res[2],nit=res[3],fitsec=round(tfit,1),tag=tag)
    print(json.dumps(d),flush=True); open('results.jsonl','a').write(json.dumps(d)+'\n'); return d
if __name__=='__main__':
    for line in sys.argv[1:]:
        run(**eval('dict('+line+')'))
